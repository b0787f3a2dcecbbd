/** Queries whose answers must equal a plain DuckDB table holding the same rows. */
export const SUITE = [
  "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, min(score) AS lo, max(score) AS hi, round(avg(score), 6) AS mean FROM users",
  "SELECT city, count(*) AS n, round(sum(score), 6) AS total FROM users GROUP BY city ORDER BY city",
  "SELECT id, age, score FROM users ORDER BY score DESC, id LIMIT 7",
  "SELECT id, name FROM users WHERE active AND age > 40 ORDER BY id LIMIT 5 OFFSET 3",
  "SELECT count(*) AS n FROM users WHERE id IN ('u-1', 'u-777', 'u-2999', 'u-99999')",
  "SELECT city, count(DISTINCT age) AS ages, min(name) AS first FROM users WHERE score > 10 GROUP BY city HAVING count(*) > 5 ORDER BY ages DESC, city LIMIT 3",
  "SELECT city, median(age) AS mid FROM users GROUP BY city ORDER BY city",
  "SELECT id, rank() OVER (PARTITION BY city ORDER BY score DESC, id) AS r FROM users ORDER BY r, id LIMIT 5",
  // In stages: the subquery's groups first, then joined on every worker.
  "SELECT u.city, count(*) AS n FROM users u JOIN (SELECT city, avg(age) AS a FROM users GROUP BY city) g ON g.city = u.city WHERE u.age > g.a GROUP BY u.city ORDER BY u.city",
  // A subquery result too large to send to the workers (one group per id): rows shipped instead.
  "SELECT count(*) AS n FROM users u JOIN (SELECT id, max(score) AS s FROM users GROUP BY id) g ON g.id = u.id WHERE u.score = g.s",
];
