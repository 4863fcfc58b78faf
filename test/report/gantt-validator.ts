// A strict structural validator for the mermaid `gantt` blocks runbook writes. No mermaid parser with
// gantt support runs offline here (@mermaid-js/parser has no gantt grammar; mermaid itself needs a
// DOM), so this checks what mermaid's gantt lexer and ganttDb (jison grammar + dayjs strict parsing)
// require, and is stricter where runbook's output is narrower:
//   gantt / title / dateFormat / axisFormat, then `section <name>` and tasks
//   `<text> :[tags,] <id>, <start>, <end | duration>` with known tags, unique ids and valid dates.

const TAGS = new Set(['active', 'done', 'crit', 'milestone']);
/** Words the gantt lexer reads as statements at the start of a line (case-insensitive). */
const KEYWORD = /^(?:gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|accdescription|acctitle|accdescr|section|click|call|href|displaymode|\d{4}-\d\d-\d\d)/i;
/** d3-time-format directives (what axisFormat takes). */
const AXIS = /^(?:%[-_0]?[aAbBcdefgGHIjLmMpqQsSuUVwWxXyYZ%]|[^%])+$/;
const DURATION = /^\d+(?:\.\d+)?(?:ms|[smhdwMy])$/;

/** Dates in the formats runbook uses, parsed strictly (as dayjs(str, format, true) would). */
function parseDate(s: string, format: string): number | null {
  if (format === 'x') return /^-?\d+$/.test(s) ? Number(s) : null;
  if (format === 'HH:mm:ss') {
    const m = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/.exec(s);
    return m ? (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 : null;
  }
  return null;
}

function durationMs(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|[smhdw])$/.exec(s);
  if (!m) return null;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  return Number(m[1]) * (unit[m[2] ?? ''] ?? NaN);
}

/** The errors in a gantt block (empty: valid). */
export function validateGantt(src: string): string[] {
  const errors: string[] = [];
  const lines = src.split('\n');
  if (lines[0] !== 'gantt') errors.push(`line 1: expected "gantt", got ${JSON.stringify(lines[0])}`);
  let dateFormat: string | null = null;
  let axisFormat: string | null = null;
  let title = 0;
  let section: string | null = null;
  let tasks = 0;
  const ids = new Set<string>();
  for (const [i, raw] of lines.entries()) {
    if (i === 0) continue;
    const n = i + 1;
    const line = raw.trim();
    if (line === '') continue;
    if (/[\r\t]/.test(raw)) errors.push(`line ${n}: control character`);
    if (line.includes('%%')) errors.push(`line ${n}: "%%" starts a comment or directive`);
    let m: RegExpExecArray | null;
    if ((m = /^title (.+)$/.exec(line))) {
      title++;
      if (/[#;%]/.test(m[1] ?? '')) errors.push(`line ${n}: title contains # ; or %`);
      if (tasks > 0 || section !== null) errors.push(`line ${n}: title after the first section`);
    } else if ((m = /^dateFormat (.+)$/.exec(line))) {
      if (dateFormat !== null) errors.push(`line ${n}: second dateFormat`);
      dateFormat = (m[1] ?? '').trim();
      if (parseDate('0', dateFormat) === null && parseDate('00:00:00', dateFormat) === null) errors.push(`line ${n}: dateFormat ${JSON.stringify(dateFormat)} is not one this validator knows (x, HH:mm:ss)`);
      if (section !== null) errors.push(`line ${n}: dateFormat after the first section`);
    } else if ((m = /^axisFormat (.+)$/.exec(line))) {
      if (axisFormat !== null) errors.push(`line ${n}: second axisFormat`);
      axisFormat = (m[1] ?? '').trim();
      if (!AXIS.test(axisFormat) || /[#;]/.test(axisFormat)) errors.push(`line ${n}: axisFormat ${JSON.stringify(axisFormat)} is not a d3 time format`);
    } else if ((m = /^section (.*)$/.exec(line))) {
      section = (m[1] ?? '').trim();
      if (section === '') errors.push(`line ${n}: empty section name`);
      if (/[#:;%]/.test(section)) errors.push(`line ${n}: section name contains # : ; or %`);
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        errors.push(`line ${n}: not a statement or task: ${JSON.stringify(line)}`);
        continue;
      }
      tasks++;
      const text = line.slice(0, colon).trim();
      const data = line.slice(colon + 1);
      if (text === '') errors.push(`line ${n}: task without text`);
      if (/[#;%]/.test(text)) errors.push(`line ${n}: task text contains # ; or %`);
      if (KEYWORD.test(text)) errors.push(`line ${n}: task text starts with a keyword the lexer would take: ${JSON.stringify(text)}`);
      // The data runs to the end of the line: `:` is fine there (HH:mm:ss), `#`, `;` and `%` are not.
      if (/[#;%]/.test(data)) errors.push(`line ${n}: task data contains # ; or %`);
      if (section === null) errors.push(`line ${n}: task before any section`);
      const parts = data.split(',').map((p) => p.trim());
      const tags: string[] = [];
      while (parts.length > 0 && TAGS.has(parts[0] ?? '')) tags.push(parts.shift() ?? '');
      if (new Set(tags).size !== tags.length) errors.push(`line ${n}: repeated tag`);
      if (parts.length !== 3) {
        errors.push(`line ${n}: expected "[tags,] id, start, end", got ${parts.length} fields after the tags`);
        continue;
      }
      const [id, start, end] = parts as [string, string, string];
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(id)) errors.push(`line ${n}: bad task id ${JSON.stringify(id)}`);
      if (TAGS.has(id)) errors.push(`line ${n}: task id ${JSON.stringify(id)} is a tag word`);
      if (ids.has(id)) errors.push(`line ${n}: duplicate task id ${JSON.stringify(id)}`);
      ids.add(id);
      if (dateFormat === null) {
        errors.push(`line ${n}: task before dateFormat`);
        continue;
      }
      const s = parseDate(start, dateFormat);
      if (s === null) errors.push(`line ${n}: start ${JSON.stringify(start)} does not match dateFormat ${dateFormat}`);
      const e = parseDate(end, dateFormat);
      const d = e === null && DURATION.test(end) ? durationMs(end) : null;
      if (e === null && d === null) errors.push(`line ${n}: end ${JSON.stringify(end)} is neither a ${dateFormat} date nor a duration`);
      if (s !== null && e !== null && e < s) errors.push(`line ${n}: ends before it starts`);
    }
  }
  if (title > 1) errors.push('more than one title');
  if (dateFormat === null) errors.push('no dateFormat');
  if (axisFormat === null) errors.push('no axisFormat');
  if (tasks === 0) errors.push('no tasks');
  return errors;
}

/** The bodies of the ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] ?? '');
}
