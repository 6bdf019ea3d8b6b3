DROP TABLE break_glass_links;
DROP TABLE sso_link_requests;
DROP TABLE sso_attempts;
DROP TABLE sso_identities;
