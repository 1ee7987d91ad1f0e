CREATE TABLE handmade (
    id int unsigned AUTO_INCREMENT PRIMARY KEY,
    label varchar(40) NOT NULL DEFAULT 'x',
    author int unsigned,
    shape point,
    anything set('a','b'),
    amount decimal(10,2) DEFAULT 1.50,
    flag tinyint(1) DEFAULT 1,
    tiny tinyint(4) DEFAULT 3,
    created timestamp NULL DEFAULT current_timestamp(),
    code char(3) UNIQUE,
    data json DEFAULT '{"a": [1, 2]}',
    big bigint,
    ubig bigint unsigned,
    small smallint DEFAULT -3,
    dbl double DEFAULT 2.5,
    gen int AS (small * 2) STORED,
    vgen int AS (small + 1) VIRTUAL,
    vc varchar(20),
    d date,
    t time,
    yr year,
    e enum('x','y') DEFAULT 'x',
    b blob,
    bits bit(1),
    q text DEFAULT 'it''s',
    dt datetime(3),
    udec decimal(8,3) unsigned,
    CONSTRAINT handmade_author_foreign FOREIGN KEY (author) REFERENCES authors(id) ON DELETE CASCADE ON UPDATE SET NULL
) COMMENT 'made by hand';
CREATE INDEX handmade_label ON handmade(label);
CREATE UNIQUE INDEX handmade_big ON handmade(big);
CREATE INDEX handmade_multi ON handmade(small, dbl);
CREATE VIEW published AS SELECT id, title FROM articles WHERE status = 'published';
CREATE TABLE pairs (a int, b int, note text, PRIMARY KEY (a, b));
CREATE TABLE `with space` (id int AUTO_INCREMENT PRIMARY KEY);
CREATE TABLE nopk (x int, y int unsigned, FOREIGN KEY (y) REFERENCES tags(id));
CREATE TABLE uniq_nn (x int NOT NULL, y int, UNIQUE KEY (x));
CREATE TABLE multi_fk (
    id int AUTO_INCREMENT PRIMARY KEY,
    a int,
    b int,
    FOREIGN KEY (a, b) REFERENCES pairs (a, b)
);
CREATE TABLE uuidpk (id char(36) PRIMARY KEY, name varchar(10));
CREATE TABLE pages (id int unsigned AUTO_INCREMENT PRIMARY KEY, title varchar(255));
CREATE TABLE headings (id int unsigned AUTO_INCREMENT PRIMARY KEY, text varchar(255));
CREATE TABLE paragraphs (id int unsigned AUTO_INCREMENT PRIMARY KEY, body text);
CREATE TABLE pages_blocks (
    id int unsigned AUTO_INCREMENT PRIMARY KEY,
    pages_id int unsigned,
    item varchar(255),
    collection varchar(255),
    FOREIGN KEY (pages_id) REFERENCES pages(id) ON DELETE SET NULL
);
