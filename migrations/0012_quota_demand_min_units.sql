-- Issue 17: the least each demand can use (a batch: one message). Credit its holder cannot spend yet is not "a
-- burst waiting to happen", so the plan's bound on unspent credit leaves it out: with every demander's
-- allowance filling in lockstep (equal shares), counting it would stop the plan before anyone could spend.
-- (0012: the batch task owner of the same issue takes 0011.)
ALTER TABLE quota_demands ADD COLUMN min_units double precision NOT NULL DEFAULT 0;
