/**
 * A self-contained API docs page (no CDN assets, so it works offline): it fetches the
 * function's openapi.json and lists every operation with its parameters and responses.
 */

/** The HTML of the docs page for the function at `basePath`. */
export function docsPage(title: string, basePath: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
code,pre{background:#f5f5f5;border-radius:4px;padding:.1rem .3rem}pre{padding:.6rem;overflow:auto}
</style></head><body>
<h1>${
    esc(title)
  }</h1><p>Spec: <a href="openapi.json">openapi.json</a></p><div id="ops">Loading…</div>
<script>
const base = location.pathname.replace(/\\/docs\\/?$/, "");
fetch(base + "/openapi.json").then((r) => r.json()).then((spec) => {
  const ops = document.getElementById("ops"); ops.textContent = "";
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const div = document.createElement("div"); div.className = "op";
      const h = document.createElement("h3");
      h.innerHTML = '<span class="m"></span><code></code>';
      h.querySelector(".m").textContent = method; h.querySelector("code").textContent = path;
      div.append(h);
      const p = document.createElement("p"); p.textContent = op.summary || op.description || ""; div.append(p);
      const pre = document.createElement("pre");
      pre.textContent = JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody,
        responses: Object.keys(op.responses || {}) }, null, 2);
      div.append(pre); ops.append(div);
    }
  }
}).catch((e) => { document.getElementById("ops").textContent = "Could not load the spec: " + e; });
</script>
<noscript>Open <a href="${esc(basePath)}/openapi.json">openapi.json</a>.</noscript>
</body></html>`;
}
