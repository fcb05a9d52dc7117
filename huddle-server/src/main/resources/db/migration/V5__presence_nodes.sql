-- L3: every running server node reports here, every few seconds and at each switch of the rollout
-- flag, the presence source it really uses, so that retiring the legacy table can refuse while a
-- node still reads or writes it. A node that stops cleanly deletes its row.
CREATE TABLE presence_nodes (
    node_id  VARCHAR(128) NOT NULL PRIMARY KEY,
    source   VARCHAR(16)  NOT NULL,
    seen_at  BIGINT       NOT NULL
);
