-- Schema v14 (issue 18, search at 100,000 cases): search lists newest raised
-- first. Its "mine" filter read a holder's cases by id and then sorted them
-- all (14,000 for a busy DSL: 18-100 ms); by the date raised instead, the
-- index gives the order and the first 200 are read. Words matched read each
-- matching case's wide row to sort them; a narrow covering index serves.
DROP INDEX escalations_by_holder;
-- A holder's cases newest raised first (search's "mine" filter, schema 14):
-- the rowid ends every entry, so ties fall newest row first.
CREATE INDEX escalations_by_holder ON escalations (assignee_id, raised_at);
-- What search reads of each case a word matches, to order them by the date
-- raised and apply need-to-know and the filters, from the index alone (schema
-- 14): a first name shared by thousands of cases costs 3-5 ms, not the
-- 10-20 ms of reading each wide case row.
CREATE INDEX escalations_search_keys ON escalations
    (id, raised_at, restricted, status, risk, assignee_id, closed_by, closed_at);
