INSERT INTO directus_collections (collection, accountability, sort_field) VALUES
    ('pages', 'activity', 'title'),
    ('headings', 'all', NULL),
    ('paragraphs', 'all', NULL),
    ('pages_blocks', 'all', NULL),
    ('folder_only', NULL, NULL);
INSERT INTO directus_fields (collection, field, special, interface, sort) VALUES
    ('pages', 'blocks', 'm2a', 'list-m2a', 3),
    ('pages', 'divider', 'alias,no-data', NULL, 4),
    ('pages_blocks', 'pages_id', NULL, NULL, 1),
    ('pages_blocks', 'item', NULL, NULL, 2),
    ('pages_blocks', 'collection', NULL, NULL, 3),
    ('pages', 'ghost', NULL, NULL, 5),
    ('handmade', 'vc', 'cast-csv', NULL, 1),
    ('handmade', 'grp', 'alias,no-data,group', 'group-detail', 2);
INSERT INTO directus_relations (many_collection, many_field, one_collection, one_field, one_collection_field, one_allowed_collections, junction_field) VALUES
    ('pages_blocks', 'item', NULL, NULL, 'collection', 'headings,paragraphs', 'pages_id'),
    ('pages_blocks', 'pages_id', 'pages', 'blocks', NULL, NULL, 'item'),
    ('orphan', 'thing', 'authors', NULL, NULL, NULL, NULL);
