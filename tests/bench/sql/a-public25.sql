-- (a) GET /items/articles?limit=25 as the public, by hand: the page of published articles with
-- the public policy's fields, then the junction ids of its m2m (IN list of that page's ids).
SELECT id, title, slug, published_date, author, category
  FROM articles WHERE status = 'published' ORDER BY id LIMIT 25;
SELECT articles_id, id FROM articles_tags
 WHERE articles_id IN (1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 17, 18, 20, 21, 22, 23, 27, 28, 29, 31,
                       36, 37, 38);
