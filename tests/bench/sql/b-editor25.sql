-- (b) the relational read by hand, one statement: a CTE for the page joined to authors and
-- categories, to a grouped json_agg of the tags and to the ids of each article's comments
-- (`*` includes the o2m `comments`, which the answer lists as ids).
WITH page AS (
    SELECT * FROM articles WHERE status = 'published' ORDER BY published_date DESC LIMIT 25
), tg AS (
    SELECT at.articles_id, json_agg(json_build_object('tags_id', json_build_object('name', t.name))) AS tags
      FROM articles_tags at JOIN tags t ON t.id = at.tags_id
     WHERE at.articles_id IN (SELECT id FROM page)
     GROUP BY at.articles_id
), cm AS (
    SELECT article, json_agg(id ORDER BY id) AS comments
      FROM comments
     WHERE article IN (SELECT id FROM page)
     GROUP BY article
)
SELECT p.*, au.name AS author_name, c.title AS category_title, tg.tags, cm.comments
  FROM page p
  LEFT JOIN authors au ON au.id = p.author
  LEFT JOIN categories c ON c.id = p.category
  LEFT JOIN tg ON tg.articles_id = p.id
  LEFT JOIN cm ON cm.article = p.id
 ORDER BY p.published_date DESC;
