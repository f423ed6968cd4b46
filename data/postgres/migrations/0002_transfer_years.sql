-- 0002: the year filter in SQL (data/sqlite's 0002, same meaning). A
-- transfer is in a year window when its order year or any of its delivery
-- years is; transfer_years holds each distinct year a transfer is counted
-- in, keyed by year, so the filter is one range scan of its primary key.
-- The delivery years themselves, in their order, move from
-- transfer_deliveries into an array column of transfers, which a read takes
-- as it is; transfer_years is derived from order_year and that column and
-- rewritten with them.

ALTER TABLE transfers ADD COLUMN delivery_years integer[] NOT NULL DEFAULT '{}';
UPDATE transfers t SET delivery_years = d.years
    FROM (SELECT transfer_id, array_agg(year ORDER BY pos) AS years FROM transfer_deliveries GROUP BY transfer_id) d
    WHERE d.transfer_id = t.id;

CREATE TABLE transfer_years (
    year        integer NOT NULL,
    transfer_id bigint NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    PRIMARY KEY (year, transfer_id)
);
CREATE INDEX transfer_years_transfer ON transfer_years (transfer_id);

INSERT INTO transfer_years (year, transfer_id)
    SELECT order_year, id FROM transfers WHERE order_year <> 0
    ON CONFLICT DO NOTHING;
INSERT INTO transfer_years (year, transfer_id)
    SELECT year, transfer_id FROM transfer_deliveries
    ON CONFLICT DO NOTHING;
DROP TABLE transfer_deliveries;

CREATE INDEX transfers_supplier ON transfers (supplier);
CREATE INDEX transfers_recipient ON transfers (recipient);
CREATE INDEX transfers_category ON transfers (category);
CREATE INDEX transfers_status ON transfers (status);
