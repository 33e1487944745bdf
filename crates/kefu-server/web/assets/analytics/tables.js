// Sortable tables for the analytics pages: click a header to sort by that column (numbers by
// each cell's data-value, text by its content); click again to reverse. No dependencies.

function sortBy(table, index, th) {
  const body = table.tBodies[0];
  if (!body) return;
  const numeric = th.dataset.type !== "text";
  const descending = th.getAttribute("aria-sort") !== "descending";
  const key = (row) => {
    const cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    return numeric ? Number(cell.dataset.value ?? cell.textContent) : cell.textContent.trim();
  };
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const order = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
    return descending ? -order : order;
  });
  for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
  th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  body.append(...rows);
}

for (const table of document.querySelectorAll("table.sortable")) {
  if (!table.tHead) continue;
  Array.from(table.tHead.rows[0].cells).forEach((th, i) => {
    th.tabIndex = 0;
    th.addEventListener("click", () => sortBy(table, i, th));
    th.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        sortBy(table, i, th);
      }
    });
  });
}
