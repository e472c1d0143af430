// Checks the Slack and Teams payloads in a directory (written by
// kilter_render_samples) with the receivers' own libraries:
//   slack-*.json: type-checked against @slack/types (tsc --strict on a .ts file per
//     payload, the payload as an object literal, so excess properties are errors)
//     and checked against Block Kit's documented limits;
//   teams-*.json: the Workflows envelope, then the Adaptive Card parsed and
//     validated with the adaptivecards package at the card's own version (1.5 at
//     most: what Teams renders), no property dropped by the parser, under 28 KB.
// Usage: node check.mjs DIR. Exit 0 when every payload passes; prints one line per
// failure and a closing "N passed, N failed".
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, "node_modules");
for (const pkg of ["@slack/types", "typescript", "adaptivecards"]) {
  if (!fs.existsSync(path.join(modules, pkg, "package.json"))) {
    console.error(
      `check.mjs: ${path.join(modules, pkg)} is missing: run \`npm ci\` in ${here} ` +
        "(./dev test does it)",
    );
    process.exit(1);
  }
}
const require = createRequire(import.meta.url);
// The package's ES module build imports its files without extensions, which
// node's ESM loader refuses; its UMD bundle is the same code.
const AC = require("adaptivecards/dist/adaptivecards.js");
const version = (pkg) => require(`${pkg}/package.json`).version;

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check.mjs DIR");
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const failures = [];
const fail = (file, what) => failures.push(`${file}: ${what}`);
const chars = (s) => [...s].length; // Slack counts characters; code points here

// ---- Slack: Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks)
const SLACK = { blocks: 50, header: 150, section: 3000, fields: 10, field: 2000, context: 10 };

function slackLimits(file, m) {
  if (typeof m.text !== "string" || m.text.length === 0) fail(file, "no top-level text fallback");
  if (m.text && chars(m.text) > 40000) fail(file, `text of ${chars(m.text)} characters`);
  if (!Array.isArray(m.blocks) || m.blocks.length === 0) return fail(file, "no blocks");
  if (m.blocks.length > SLACK.blocks) fail(file, `${m.blocks.length} blocks (max ${SLACK.blocks})`);
  const textOk = (t, max, where) => {
    if (!t || typeof t.text !== "string" || t.text.length === 0) fail(file, `${where}: empty text`);
    else if (chars(t.text) > max) fail(file, `${where}: ${chars(t.text)} characters (max ${max})`);
    // A record's text must never mention a channel or a user: only our own tokens
    // (<!date^...>, <http...|...>) may open with '<'.
    if (t && t.type === "mrkdwn" && /<(?!!date\^|https?:\/\/)/.test(t.text))
      fail(file, `${where}: unescaped '<' in mrkdwn`);
  };
  m.blocks.forEach((b, i) => {
    const where = `blocks[${i}] (${b.type})`;
    if (b.type === "header") textOk(b.text, SLACK.header, where);
    if (b.type === "section") {
      if (b.text) textOk(b.text, SLACK.section, `${where}.text`);
      if (b.fields) {
        if (b.fields.length > SLACK.fields) fail(file, `${where}: ${b.fields.length} fields`);
        b.fields.forEach((f, j) => textOk(f, SLACK.field, `${where}.fields[${j}]`));
      }
    }
    if (b.type === "context") {
      if (b.elements.length > SLACK.context) fail(file, `${where}: ${b.elements.length} elements`);
      b.elements.forEach((e, j) => textOk(e, 3000, `${where}.elements[${j}]`));
    }
  });
}

// One .ts file per payload: the JSON as an object literal assigned to a typed
// variable, so contextual typing keeps literal types ("section", "mrkdwn") and an
// unknown property is an error. The message's top level is what Slack's incoming
// webhooks accept (as @slack/webhook's IncomingWebhookSendArguments has it).
function slackTypes(slackFiles, work) {
  const ts = path.join(work, "ts");
  fs.rmSync(ts, { recursive: true, force: true });
  fs.mkdirSync(ts, { recursive: true });
  const names = [];
  for (const [file, json] of slackFiles) {
    const name = file.replace(/\.json$/, ".ts");
    fs.writeFileSync(
      path.join(ts, name),
      'import type { KnownBlock } from "@slack/types";\n' +
        "type WebhookMessage = {\n  text: string;\n  blocks: KnownBlock[];\n" +
        "  channel?: string;\n  username?: string;\n  icon_emoji?: string;\n" +
        "  icon_url?: string;\n  unfurl_links?: boolean;\n  unfurl_media?: boolean;\n};\n" +
        `export const message: WebhookMessage = ${json.trim()};\n`,
    );
    names.push(name);
  }
  fs.writeFileSync(
    path.join(ts, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          types: [],
          baseUrl: ".",
          paths: { "@slack/types": [path.join(modules, "@slack/types")] },
        },
        files: names,
      },
      null,
      2,
    ),
  );
  const tsc = path.join(modules, "typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", path.join(ts, "tsconfig.json")], {
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    // tsc prints "file.ts(line,col): error TSxxxx: ..." per problem.
    const lines = `${e.stdout || ""}${e.stderr || ""}`.split("\n").filter((l) => l.trim());
    for (const l of lines.slice(0, 40)) fail("tsc", l.slice(0, 400));
    if (lines.length === 0) fail("tsc", `exited with ${e.status}`);
  }
}

// ---- Teams: the Workflows envelope and the Adaptive Card
const TEAMS_MAX_VERSION = AC.Version.parse("1.5", new AC.SerializationContext());

// Every property of the input must come back from the parser's toJSON: one it
// dropped is unknown to Adaptive Cards (the renderer would be sending noise).
// `msteams` is Teams' own extension, outside the schema.
function dropped(input, output, where, out) {
  if (Array.isArray(input)) {
    input.forEach((v, i) => dropped(v, output?.[i], `${where}[${i}]`, out));
  } else if (input && typeof input === "object") {
    for (const [k, v] of Object.entries(input)) {
      if (where === "card" && k === "msteams") continue;
      if (!output || !(k in output)) out.push(`${where}.${k}`);
      else dropped(v, output[k], `${where}.${k}`, out);
    }
  }
}

function teamsCard(file, raw, m) {
  if (raw.length >= 28 * 1024) fail(file, `${raw.length} bytes (Teams refuses ~28 KB)`);
  if (m.type !== "message") fail(file, `envelope type ${m.type}`);
  const att = m.attachments?.[0];
  if (!att || att.contentType !== "application/vnd.microsoft.card.adaptive")
    return fail(file, "no Adaptive Card attachment");
  const card = att.content;
  const v = AC.Version.parse(card.version, new AC.SerializationContext());
  if (!v || !v.isValid || v.compareTo(TEAMS_MAX_VERSION) > 0)
    fail(file, `card version ${card.version} (Teams renders 1.5 at most)`);
  const ctx = new AC.SerializationContext(v);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) fail(file, `parse: ${ctx.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents)
    fail(file, `validate: ${e.message}`);
  const lost = [];
  dropped(card, parsed.toJSON(), "card", lost);
  for (const p of lost.slice(0, 10)) fail(file, `dropped by the parser (unknown in ${card.version}, or a bad value): ${p}`);
}

// ---- run
const slackFiles = [];
for (const file of files) {
  const raw = fs.readFileSync(path.join(dir, file), "utf8");
  let m;
  try {
    m = JSON.parse(raw);
  } catch (e) {
    fail(file, `not JSON: ${e.message}`);
    continue;
  }

  if (file.startsWith("slack-")) {
    slackLimits(file, m);
    slackFiles.push([file, raw]);
  } else if (file.startsWith("teams-")) {
    teamsCard(file, raw, m);
  } else {
    fail(file, "neither slack-* nor teams-*");
  }
}
if (slackFiles.length > 0) slackTypes(slackFiles, dir);

console.log(
  `check.mjs: @slack/types ${version("@slack/types")}, typescript ${version("typescript")}, ` +
    `adaptivecards ${version("adaptivecards")}`,
);
for (const f of failures) console.log(`FAIL ${f}`);
// A tsc error names its .ts file: the payload it came from fails.
const failed = new Set(
  failures.map((f) => {
    const ts = /^tsc: (?:.*\/)?(slack-[^/(]+)\.ts\(/.exec(f);
    return ts ? `${ts[1]}.json` : f.split(":")[0];
  }),
);
if (files.length === 0) console.log(`FAIL no payloads in ${dir}`);
const failedCount = failed.size + (files.length === 0 ? 1 : 0);
console.log(`${files.length - [...failed].filter((f) => files.includes(f)).length} passed, ${failedCount} failed`);
process.exit(failures.length === 0 && files.length > 0 ? 0 : 1);
