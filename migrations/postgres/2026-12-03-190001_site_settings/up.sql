-- Settings an admin changes on /admin/settings, one row per setting that differs from the
-- operator's default (environment or TOML); a setting without a row uses that default. Values are
-- text, checked by the application on the way in and again when read.
CREATE TABLE site_settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);

-- One row whose number grows with every change to site_settings, in the changing transaction:
-- each node polls this one number (cheap) and re-reads the settings only when it moved. A
-- counter, not MAX(updated_at), because nodes' clocks differ and a reset deletes a row.
CREATE TABLE site_settings_generation (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO site_settings_generation (id, generation) VALUES (1, 0);
