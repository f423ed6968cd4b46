-- 0002: one table of every year a transfer is counted in (its order year and
-- its delivery years), so the year filter "order year or any delivery year
-- in the window" is a single index range scan; plus the filter indexes.
-- The delivery years move from transfer_deliveries into it.

CREATE TABLE transfer_years (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('order', 'delivery')),
    pos         INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, kind, pos)
) STRICT, WITHOUT ROWID;

INSERT INTO transfer_years (transfer_id, kind, pos, year)
    SELECT id, 'order', 0, order_year FROM transfers WHERE order_year <> 0;
INSERT INTO transfer_years (transfer_id, kind, pos, year)
    SELECT transfer_id, 'delivery', pos, year FROM transfer_deliveries;
DROP TABLE transfer_deliveries;

CREATE INDEX transfer_years_year ON transfer_years (year, transfer_id);
CREATE INDEX transfers_supplier ON transfers (supplier);
CREATE INDEX transfers_recipient ON transfers (recipient);
CREATE INDEX transfers_category ON transfers (category);
CREATE INDEX transfers_status ON transfers (status);
