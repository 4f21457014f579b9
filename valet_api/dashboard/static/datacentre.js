// The data centre drawn as clusters -> racks -> hosts (d3-selection), each host
// coloured by the used share of one dimension (d3-scale-chromatic).
const d3 = window.d3;

const HOST = { width: 96, height: 20, gap: 3 };
const RACK_GAP = 10;
const CLUSTER = { pad: 10, header: 22, rackHeader: 18, gap: 14 };
const BACKEND = { width: 200, height: 20 };

export const DIMENSIONS = { vcpus: "vCPU", memory_mb: "RAM", disk_gb: "disk" };

// The used share (0..1) of `dimension` on `host`; a host with no capacity is full
// when anything is used on it, else empty.
export function share(host, dimension) {
  const capacity = host.capacity[dimension];
  const used = host.used[dimension];
  if (!capacity) return used > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, used / capacity));
}

export function colour(fraction) {
  return d3.interpolateYlOrRd(fraction);
}

// [{name, racks: [{name, hosts: [host...]}]}], every level sorted by name.
export function topology(hosts) {
  const clusters = new Map();
  for (const host of hosts) {
    const racks = clusters.get(host.cluster) || new Map();
    clusters.set(host.cluster, racks);
    racks.set(host.rack, [...(racks.get(host.rack) || []), host]);
  }
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...clusters].map(([name, racks]) => ({
    name,
    racks: [...racks].map(([rack, inRack]) => ({ name: rack, hosts: inRack.sort(byName) }))
      .sort(byName),
  })).sort(byName);
}

// Cluster frames placed left to right, wrapping at `width`; returns the height used.
function place(clusters, width) {
  let x = 0, y = 0, rowHeight = 0;
  for (const cluster of clusters) {
    const tallest = Math.max(...cluster.racks.map((rack) => rack.hosts.length));
    cluster.width = CLUSTER.pad * 2 + cluster.racks.length * (HOST.width + RACK_GAP) - RACK_GAP;
    cluster.height = CLUSTER.header + CLUSTER.rackHeader + tallest * (HOST.height + HOST.gap)
      + CLUSTER.pad;
    if (x > 0 && x + cluster.width > width) {
      x = 0;
      y += rowHeight + CLUSTER.gap;
      rowHeight = 0;
    }
    Object.assign(cluster, { x, y });
    x += cluster.width + CLUSTER.gap;
    rowHeight = Math.max(rowHeight, cluster.height);
  }
  return y + rowHeight;
}

function hatch(svg) {
  const pattern = svg.append("defs").append("pattern")
    .attr("id", "disabled-hatch").attr("width", 6).attr("height", 6)
    .attr("patternUnits", "userSpaceOnUse").attr("patternTransform", "rotate(45)");
  pattern.append("rect").attr("width", 6).attr("height", 6).attr("fill", "#eceff1");
  pattern.append("line").attr("x1", 0).attr("y1", 0).attr("x2", 0).attr("y2", 6)
    .attr("stroke", "#90a4ae").attr("stroke-width", 3);
}

// Draws `hosts` and the storage `backends` (names) into the <svg> `element`;
// `hover(kind, name, event)` and `leave()` follow the pointer.
export function render(element, { hosts, backends, dimension, hover, leave }) {
  const svg = d3.select(element);
  svg.selectAll("*").remove();
  hatch(svg);
  const width = Math.max(element.parentNode.clientWidth || 900, 400);
  const clusters = topology(hosts);
  let height = place(clusters, width);
  const frames = svg.selectAll("g.cluster").data(clusters).join("g")
    .attr("class", "cluster").attr("data-cluster", (c) => c.name)
    .attr("transform", (c) => `translate(${c.x},${c.y})`);
  frames.append("rect").attr("class", "cluster-frame")
    .attr("width", (c) => c.width).attr("height", (c) => c.height).attr("rx", 4);
  frames.append("text").attr("class", "label cluster-label").attr("x", CLUSTER.pad).attr("y", 16)
    .text((c) => `cluster ${c.name}`);
  const racks = frames.selectAll("g.rack").data((c) => c.racks).join("g")
    .attr("class", "rack").attr("data-rack", (r) => r.name)
    .attr("transform", (r, i) =>
      `translate(${CLUSTER.pad + i * (HOST.width + RACK_GAP)},${CLUSTER.header})`);
  racks.append("text").attr("class", "label rack-label").attr("y", 12).text((r) => r.name);
  const cells = racks.selectAll("g.host-cell").data((r) => r.hosts).join("g")
    .attr("class", "host-cell")
    .attr("transform", (h, i) => `translate(0,${CLUSTER.rackHeader + i * (HOST.height + HOST.gap)})`);
  cells.append("rect")
    .attr("class", (h) => (h.enabled ? "host" : "host disabled"))
    .attr("data-host", (h) => h.name).attr("data-enabled", (h) => String(h.enabled))
    .attr("data-share", (h) => share(h, dimension).toFixed(3))
    .attr("width", HOST.width).attr("height", HOST.height).attr("rx", 2)
    .attr("fill", (h) => colour(share(h, dimension)))
    .on("mouseenter", (event, h) => hover("host", h.name, event))
    .on("mousemove", (event, h) => hover("host", h.name, event))
    .on("mouseleave", () => leave());
  cells.append("text").attr("class", "host-label").attr("x", 4).attr("y", 14)
    .text((h) => (h.enabled ? h.name : `${h.name} (off)`));
  if (backends.length) height = drawBackends(svg, backends, height, width, { hover, leave });
  svg.attr("viewBox", `0 0 ${width} ${height + 2}`).attr("width", width)
    .attr("height", height + 2);
}

function drawBackends(svg, backends, top, width, { hover, leave }) {
  const perRow = Math.max(1, Math.floor(width / (BACKEND.width + HOST.gap)));
  const y = top + CLUSTER.gap;
  svg.append("text").attr("class", "label cluster-label").attr("x", 0).attr("y", y + 12)
    .text("storage backends");
  const cells = svg.selectAll("g.backend-cell").data(backends).join("g")
    .attr("class", "backend-cell")
    .attr("transform", (name, i) => `translate(${(i % perRow) * (BACKEND.width + HOST.gap)},${
      y + CLUSTER.rackHeader + Math.floor(i / perRow) * (BACKEND.height + HOST.gap)})`);
  cells.append("rect").attr("class", "backend").attr("data-backend", (name) => name)
    .attr("width", BACKEND.width).attr("height", BACKEND.height).attr("rx", 2)
    .on("mouseenter", (event, name) => hover("backend", name, event))
    .on("mousemove", (event, name) => hover("backend", name, event))
    .on("mouseleave", () => leave());
  cells.append("text").attr("class", "host-label").attr("x", 4).attr("y", 14).text((name) => name);
  const rows = Math.ceil(backends.length / perRow);
  return y + CLUSTER.rackHeader + rows * (BACKEND.height + HOST.gap);
}

// Gives `className` to exactly the hosts and backends named in `locations`.
export function mark(element, className, locations) {
  d3.select(element).selectAll("rect.host, rect.backend")
    .classed(className, function () {
      return locations.has(this.dataset.host || this.dataset.backend);
    });
}

// The colour legend: five swatches from empty to full.
export function legend(element, dimension) {
  element.replaceChildren(document.createTextNode(`${DIMENSIONS[dimension]} used: 0%`));
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = colour(fraction);
    element.append(swatch);
  }
  element.append(document.createTextNode("100%"));
}
