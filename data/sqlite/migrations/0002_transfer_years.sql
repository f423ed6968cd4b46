-- 0002: the year filter in SQL. A transfer is in a year window when its
-- order year or any of its delivery years is; transfer_years holds each
-- distinct year a transfer is counted in, keyed by year, so the filter is
-- one range scan of its primary key. The delivery years themselves, in
-- their order, move from transfer_deliveries into a text column of
-- transfers ("2012,2013"), which a read takes as it is; transfer_years is
-- derived from order_year and that column and rewritten with them.

ALTER TABLE transfers ADD COLUMN delivery_years TEXT NOT NULL DEFAULT '';
UPDATE transfers SET delivery_years = coalesce(
    (SELECT group_concat(d.year, ',' ORDER BY d.pos) FROM transfer_deliveries d WHERE d.transfer_id = transfers.id), '');

CREATE TABLE transfer_years (
    year        INTEGER NOT NULL,
    transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    PRIMARY KEY (year, transfer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX transfer_years_transfer ON transfer_years (transfer_id);

INSERT OR IGNORE INTO transfer_years (year, transfer_id)
    SELECT order_year, id FROM transfers WHERE order_year <> 0;
INSERT OR IGNORE INTO transfer_years (year, transfer_id)
    SELECT year, transfer_id FROM transfer_deliveries;
DROP TABLE transfer_deliveries;

CREATE INDEX transfers_supplier ON transfers (supplier);
CREATE INDEX transfers_recipient ON transfers (recipient);
CREATE INDEX transfers_category ON transfers (category);
CREATE INDEX transfers_status ON transfers (status);
