DROP TABLE site_settings_generation;
DROP TABLE site_settings;
