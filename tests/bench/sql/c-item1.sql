-- (c) GET /items/articles/1 by hand: the row, then its o2m (comments) and m2m (tags junction)
-- keys, which `*` returns as id arrays.
SELECT * FROM articles WHERE id = 1;
SELECT id FROM comments WHERE article = 1;
SELECT id FROM articles_tags WHERE articles_id = 1;
