-- Lists of a register by section (the server pages a viewer's sections in
-- the database): an index on each register's section, then code (a page of
-- one section comes in code order without sorting), then the retirement date
-- (counting a section's records in use reads the index only).
CREATE INDEX assets_owner_section ON assets (owner_section, code, retired_date);
CREATE INDEX devices_section ON devices (section, code, retired_date);
CREATE INDEX media_section ON media (section, code, retired_date);
CREATE INDEX software_section ON software (section, code, retired_date);
CREATE INDEX contracts_section ON contracts (section, code, retired_date);
CREATE INDEX services_section ON services (section, code, retired_date);
CREATE INDEX social_media_accounts_section ON social_media_accounts (section, code, retired_date);
CREATE INDEX external_connections_section ON external_connections (section, code, retired_date);
CREATE INDEX controlled_areas_section ON controlled_areas (section, code, retired_date);
