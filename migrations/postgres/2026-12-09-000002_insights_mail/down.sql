DROP TABLE insights_mailings;
DROP TABLE insights_recipients;
