/** The report page's stylesheet, inlined in it: readable on a screen and in print, no external fonts. */
export const STYLE = `
:root { --ink: #1d2125; --muted: #5c6670; --line: #dde1e5; --accent: #1f6feb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 18px 32px 10px; }
h1 { margin: 0; font-size: 22px; font-weight: 600; }
h1 .name { color: var(--accent); }
.meta { margin: 4px 0 0; color: var(--muted); font-size: 12px; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 32px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 20px; margin: 0 0 16px; }
h2 { margin: 0 0 10px; font-size: 17px; font-weight: 600; }
h3 { margin: 10px 0 6px; font-size: 14px; font-weight: 600; }
.row { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0 0 10px; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption, .caption { color: var(--muted); font-size: 12.5px; max-width: 860px; margin: 4px 0 8px; }
.row figure.chart figcaption { max-width: 440px; }
.note { color: var(--muted); font-style: italic; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: middle; }
th { font-weight: 600; background: #fafbfc; }
.top-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 0 24px; align-items: start; }
code.id { color: var(--muted); font-size: 11px; word-break: break-all; }
td .mol svg { display: block; width: 150px; height: 100px; }
code, pre.text { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre.text { max-height: 420px; background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 10px; overflow-x: auto; white-space: pre-wrap; }
details summary { cursor: pointer; color: var(--muted); margin: 6px 0; }
@media print { pre.text { max-height: none; } }
@media print { body { background: #fff; } section { break-inside: avoid; border: none; } }
`;
