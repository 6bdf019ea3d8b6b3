DROP INDEX users_by_role;
DROP TABLE auth_tokens;
DROP TABLE users;
