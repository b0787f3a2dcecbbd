/**
 * ListTables patterns: `*` matches any run of characters, `?` one character, everything else
 * itself (`user*`, `*_log`, `orders`, `*`). An empty pattern matches every table.
 */
export function compileTableGlob(pattern: string): (name: string) => boolean {
  if (pattern === "" || pattern === "*") return () => true;
  const source = [...pattern]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${source}$`, "s");
  return (name) => regex.test(name);
}
