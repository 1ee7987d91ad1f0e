-- (d) aggregate[count]=*&groupBy[]=status by hand.
SELECT status, count(*) FROM articles GROUP BY status;
