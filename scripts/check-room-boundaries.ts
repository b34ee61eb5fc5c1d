/**
 * The rooms' boundaries, as their modules declare them (`src/<room>/<room>.module.ts`; `npm run lint` runs this):
 * - every table belongs to one room, and only that room's files write SQL naming it; every table the migrations create
 *   must be some room's. SQL is found in the string and template literals of `src/` and `plugins/` (parsed with the
 *   TypeScript compiler); a table after FROM, JOIN, INTO, UPDATE or TABLE that another room owns is a violation,
 *   except in a room declared `readsEveryRoom` (segments, the read model), which may read any table but write only
 *   its own;
 * - a room imports another room only through the files of that room's `surface`.
 *
 *   tsx scripts/check-room-boundaries.ts            checks the house, exits 1 on a violation
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Room {
  room: string;
  tables: string[];
  /** The files other rooms may import (undefined: a door, which declares none and is not held to others'). */
  surface: string[] | undefined;
  readsEveryRoom: boolean;
  file: string;
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

const sqlKeyword = /\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b|insertIgnoreInto/;
// `${db.insertIgnoreInto} tags` writes the dialect's INSERT IGNORE through a placeholder.
const tableReference = /(\bFROM|\bJOIN|\bINTO|\bUPDATE|\bTABLE|insertIgnoreInto\})\s+[`"]?([A-Za-z_][A-Za-z0-9_]*)/g;
const writeTarget =
  /(\bINSERT\s+(?:IGNORE\s+)?INTO|\bREPLACE\s+INTO|\bUPDATE|\bDELETE\s+FROM|\bTRUNCATE\s+TABLE|\bALTER\s+TABLE|\bDROP\s+TABLE|insertIgnoreInto\})\s+[`"]?([A-Za-z_][A-Za-z0-9_]*)/gi;

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The rooms' declarations, read from their module files' object literals (`room`, `tables`, `readsEveryRoom`). */
export function roomsOf(moduleFiles: readonly { file: string; text: string }[]): Room[] {
  const rooms: Room[] = [];
  for (const { file, text } of moduleFiles) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const property = (name: string) =>
          node.properties.find(
            (candidate): candidate is ts.PropertyAssignment =>
              ts.isPropertyAssignment(candidate) && candidate.name.getText(source) === name,
          )?.initializer;
        const room = property('room');
        const tables = property('tables');
        if (room && ts.isStringLiteral(room) && tables && ts.isArrayLiteralExpression(tables)) {
          const surface = property('surface');
          rooms.push({
            room: room.text,
            tables: tables.elements.filter(ts.isStringLiteral).map((element) => element.text),
            surface:
              surface && ts.isArrayLiteralExpression(surface)
                ? surface.elements.filter(ts.isStringLiteral).map((element) => element.text)
                : undefined,
            readsEveryRoom: property('readsEveryRoom')?.kind === ts.SyntaxKind.TrueKeyword,
            file,
          });
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return rooms;
}

/** The SQL-looking literals of one file, with the line each starts on. */
function sqlLiterals(file: string, text: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    let literal: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literal = node.text;
    else if (ts.isTemplateExpression(node))
      literal = [
        node.head.text,
        ...node.templateSpans.map((span) => `\${${span.expression.getText(source)}}${span.literal.text}`),
      ].join('');
    if (literal !== undefined && sqlKeyword.test(literal)) {
      found.push({ text: literal, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
    else for (const span of node.templateSpans) visit(span.expression);
  };
  visit(source);
  return found;
}

/**
 * Violations in `files` (paths relative to the project, `src/<room>/…` or `plugins/…`): SQL naming a table another
 * room owns, a table two rooms claim, and a table the migrations create that no room owns.
 */
export function tableOwnershipViolations(
  rooms: readonly Room[],
  files: readonly { file: string; text: string }[],
  createdTables: readonly string[],
): Violation[] {
  const violations: Violation[] = [];
  const owner = new Map<string, Room>();
  for (const room of rooms) {
    for (const table of room.tables) {
      const other = owner.get(table);
      if (other) violations.push({ file: room.file, line: 1, message: `${table} is claimed by ${other.room} too` });
      owner.set(table, room);
    }
  }
  for (const table of createdTables) {
    if (!owner.has(table))
      violations.push({
        file: 'migrations',
        line: 1,
        message: `table ${table} has no owner: name it in a room's module`,
      });
  }
  for (const { file, text } of files) {
    const parts = file.split('/');
    const roomName = parts[0] === 'src' && parts.length > 2 ? parts[1] : parts[0];
    const room = rooms.find((candidate) => candidate.room === roomName);
    for (const literal of sqlLiterals(file, text)) {
      const writes = new Set([...literal.text.matchAll(writeTarget)].map((match) => match[2].toLowerCase()));
      for (const match of literal.text.matchAll(tableReference)) {
        const table = match[2].toLowerCase();
        const tableOwner = owner.get(table);
        if (!tableOwner || tableOwner.room === roomName) continue;
        if (room?.readsEveryRoom && !writes.has(table)) continue;
        violations.push({
          file,
          line: literal.line,
          message: `SQL names ${table}, a table of the ${tableOwner.room} room: call that room's services instead`,
        });
      }
    }
  }
  return violations;
}

/**
 * Imports of `files` (paths relative to the project) that reach into another room past its surface: only rooms that
 * declare a surface are held to it, as importers and as imported.
 */
export function surfaceViolations(
  rooms: readonly Room[],
  files: readonly { file: string; text: string }[],
): Violation[] {
  const byName = new Map(rooms.map((room) => [room.room, room]));
  const roomOf = (file: string) => {
    const parts = file.split('/');
    return parts[0] === 'src' && parts.length > 2 ? byName.get(parts[1]) : undefined;
  };
  const violations: Violation[] = [];
  for (const { file, text } of files) {
    const from = roomOf(file);
    if (!from?.surface) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (!specifier?.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const to = roomOf(target);
      if (!to?.surface || to === from) continue;
      const name = path.posix.basename(target).replace(/\.ts$/, '');
      if (to.surface.includes(name)) continue;
      violations.push({
        file,
        line: source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1,
        message: `imports ${target}, which is not on the ${to.room} room's surface (${to.file}): use what it offers, or add the file to its surface`,
      });
    }
  }
  return violations;
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const read = (file: string) => ({ file: path.relative(root, file), text: readFileSync(file, 'utf8') });
  const sources = [...filesUnder(path.join(root, 'src')), ...filesUnder(path.join(root, 'plugins'))].map(read);
  const rooms = roomsOf(sources.filter((source) => source.file.endsWith('.module.ts')));
  const createdTables = filesUnder(path.join(root, 'migrations')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/createTable\(\s*'([a-z_]+)'/g)].map((match) => match[1]),
  );
  const violations = [...tableOwnershipViolations(rooms, sources, createdTables), ...surfaceViolations(rooms, sources)];
  for (const violation of violations) console.error(`${violation.file}:${violation.line}  ${violation.message}`);
  if (violations.length > 0) {
    console.error(`\n${violations.length} room boundary violation(s)`);
    process.exit(1);
  }
  console.log(
    `✔ every table has one owner, only its room's SQL names it, and rooms import each other through their surfaces (${rooms.length} rooms)`,
  );
}

if (require.main === module) main();
