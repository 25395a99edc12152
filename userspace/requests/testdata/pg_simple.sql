CREATE TABLE orders (id int PRIMARY KEY, item text, qty int);
INSERT INTO orders VALUES (1, 'secret-item', 3), (2, 'other', 5);
SELECT item, qty FROM orders WHERE id = 1;
SELECT * FROM missing_table;
BEGIN;
UPDATE orders SET qty = qty + 1 WHERE id = 2;
COMMIT;
SELECT count(*) FROM orders o JOIN orders p ON o.id = p.id;
DROP TABLE orders;
