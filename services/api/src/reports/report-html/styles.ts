/** The page's only style sheet, inline: screen and print (A4, a page per section). No web fonts, nothing fetched. */
export const REPORT_CSS = `
:root { --ink: #1a202c; --muted: #4a5568; --rule: #cbd5e0; --ok: #2f855a; --warn: #c05621; --bad: #c53030; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 16px 24px; color: var(--ink); font: 13px/1.4 "DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK SC", Arial, sans-serif; }
header.report { border-bottom: 2px solid var(--ink); margin-bottom: 12px; padding-bottom: 8px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 18px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 3px; }
h3 { font-size: 13px; margin: 12px 0 6px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 12px; margin: 6px 0 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.keyfigures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin: 10px 0; }
.keyfigures > div { border: 1px solid var(--rule); padding: 6px 8px; }
.keyfigures .label { color: var(--muted); font-size: 11px; }
.keyfigures .value { font-size: 16px; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 11.5px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #edf2f7; font-weight: 600; }
td.id { white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
.nodata { color: var(--muted); font-style: italic; }
.flag { display: inline-block; border: 1px solid var(--warn); color: var(--warn); border-radius: 3px; padding: 0 3px; margin: 1px 2px 1px 0; font-size: 10px; white-space: nowrap; }
.status-valid { color: var(--ok); } .status-expiring { color: var(--warn); } .status-expired, .status-not-yet-valid { color: var(--bad); font-weight: 600; }
.pass { color: var(--ok); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
.status-on-track, .verdict-clearly-below { color: var(--ok); font-weight: 600; } .status-at-risk, .verdict-undecidable { color: var(--warn); font-weight: 600; }
.status-exceeded, .verdict-clearly-above { color: var(--bad); font-weight: 600; } .status-no-data, .verdict-unconfirmed, .verdict-not-applicable { color: var(--muted); font-style: italic; }
svg.target-bar { display: block; } svg.target-bar rect.track { fill: #edf2f7; } svg.target-bar rect.to-date { fill: #4a5568; }
svg rect.band.target-on-track { fill: #9ae6b4; } svg rect.band.target-at-risk { fill: #fbd38d; } svg rect.band.target-exceeded { fill: #feb2b2; } svg rect.band.target-no-data { fill: #e2e8f0; }
svg.target-bar line.projection { stroke: var(--ink); stroke-width: 2; }
.note { color: var(--muted); font-size: 11px; margin: 2px 0 8px; }
figure.chart { margin: 6px 0 12px; break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: 2px; }
figure.chart .unit { font-weight: normal; color: var(--muted); }
figure.chart svg { width: 100%; height: auto; display: block; }
svg text { font-size: 10px; fill: var(--ink); }
svg .tick { fill: var(--muted); }
svg .empty { fill: var(--muted); font-style: italic; }
svg line.grid { stroke: #e2e8f0; stroke-width: 1; }
svg line.zero { stroke: var(--ink); stroke-width: 1.2; }
svg line.threshold { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg rect.partial, .legend i.partial { fill: #9b2c2c; background: #9b2c2c; }
svg rect.bar.ok { fill: #68d391; } svg rect.bar.low { fill: #f6ad55; }
svg rect.band.within { fill: #bee3f8; } svg rect.band.significant { fill: #fed7d7; }
svg line.gap { stroke-width: 3; } svg line.gap.within { stroke: #2b6cb0; } svg line.gap.significant { stroke: var(--bad); }
svg polygon.prediction-band, .legend i.prediction-band { fill: #bee3f8; background: #bee3f8; }
svg polyline.expected { fill: none; stroke: #2b6cb0; stroke-width: 1.5; stroke-dasharray: 5 3; } .legend i.expected { background: #2b6cb0; height: 2px; vertical-align: 3px; }
svg polyline.actual { fill: none; stroke: var(--ink); stroke-width: 1.2; } svg circle.actual { fill: var(--ink); } .legend i.actual { background: var(--ink); height: 2px; vertical-align: 3px; }
svg circle.outside-above, svg circle.outside-below, .legend i.outside { fill: var(--bad); background: var(--bad); border-radius: 50%; }
svg polyline.cusum { fill: none; stroke: #6b46c1; stroke-width: 1.8; } svg circle.cusum { fill: #6b46c1; } .legend i.cusum { background: #6b46c1; height: 2px; vertical-align: 3px; }
svg line.change { stroke: var(--warn); stroke-width: 1.5; stroke-dasharray: 3 2; } svg circle.signal { fill: var(--warn); } .legend i.change { background: var(--warn); width: 2px; }
.legend { font-size: 11px; color: var(--muted); }
.legend .key { margin-right: 12px; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
.legend i.within { background: #bee3f8; } .legend i.significant { background: #fed7d7; } .legend i.threshold { background: var(--bad); height: 2px; vertical-align: 3px; }
footer.report { margin-top: 16px; border-top: 1px solid var(--ink); padding-top: 6px; font-size: 11px; color: var(--muted); }
footer.report code { color: var(--ink); word-break: break-all; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5px; }
  section.page + section.page { break-before: page; }
  table { font-size: 9.5px; }
  h2 { break-after: avoid; }
}
`;
