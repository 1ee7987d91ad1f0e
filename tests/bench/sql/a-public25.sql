-- (a) GET /items/articles?limit=25 by hand: the page, then the junction ids of its m2m (IN list).
SELECT id, status, title, slug, body, published_date, views, rating, price, metadata, author,
       category, user_created, date_created, date_updated
  FROM articles ORDER BY id LIMIT 25;
SELECT articles_id, id FROM articles_tags
 WHERE articles_id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25);
