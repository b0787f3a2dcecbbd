/**
 * Queries over `users` and `orders` whose answers a cluster must give exactly as a single node
 * holding the same rows: counts, GROUP BY, ORDER BY/LIMIT, joins, COUNT DISTINCT and AVG over
 * integers (whose merged sum and count divide to the same double as on one node).
 */
export const QUERY_SUITE: readonly string[] = [
  "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, min(age) AS youngest, max(age) AS oldest, avg(age) AS mean_age FROM users",
  "SELECT city, count(*) AS n, sum(age) AS ages, avg(age) AS mean_age FROM users GROUP BY city ORDER BY city",
  "SELECT id, age, city FROM users ORDER BY age DESC, id LIMIT 10",
  "SELECT id, name FROM users WHERE active AND age > 40 ORDER BY id LIMIT 5 OFFSET 3",
  "SELECT count(*) AS n FROM users WHERE id IN ('u-1', 'u-777', 'u-2999', 'u-99999')",
  "SELECT status, count(*) AS n, count(DISTINCT user_id) AS buyers, sum(amount) AS revenue, avg(quantity) AS mean_quantity FROM orders GROUP BY status ORDER BY status",
  "SELECT count(DISTINCT user_id) AS buyers, avg(amount) AS mean_amount, min(timestamp) AS first_at, max(timestamp) AS last_at FROM orders",
  "SELECT user_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY user_id HAVING count(*) >= 3 ORDER BY total DESC, user_id LIMIT 5",
  "SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 7 OFFSET 2",
  "SELECT u.city, count(*) AS orders, sum(o.amount) AS revenue, count(DISTINCT o.user_id) AS buyers FROM orders o JOIN users u ON o.user_id = u.id GROUP BY u.city ORDER BY u.city",
  "SELECT u.id, u.age, count(o.id) AS n, sum(o.quantity) AS items FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.age < 30 GROUP BY u.id, u.age ORDER BY items DESC NULLS LAST, u.id LIMIT 8",
  "SELECT date_trunc('day', timestamp) AS order_day, count(*) AS n, sum(quantity) AS items FROM orders GROUP BY order_day ORDER BY order_day LIMIT 5",
];
