DROP TABLE webhook_announcements;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
