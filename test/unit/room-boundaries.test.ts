import { roomsOf, surfaceViolations, tableOwnershipViolations } from '../../scripts/check-room-boundaries';

const modules = [
  {
    file: 'src/rules/rules.module.ts',
    text: "export const rulesRoom = { room: 'rules', tables: ['tags', 'scores'], surface: ['tag.service'] };",
  },
  {
    file: 'src/segments/segments.module.ts',
    text: "export const segmentsRoom = { room: 'segments', tables: ['segments'], readsEveryRoom: true };",
  },
  {
    file: 'src/pushes/pushes.module.ts',
    text: "export const pushesRoom = { room: 'pushes', tables: ['pushes'], surface: [] };",
  },
  { file: 'src/http/http.module.ts', text: "export const httpRoom = { room: 'http', tables: [] };" },
];
const rooms = roomsOf(modules);
const created = ['tags', 'scores', 'segments', 'pushes'];

function violations(file: string, text: string, tables = created) {
  return tableOwnershipViolations(rooms, [{ file, text }], tables).map((violation) => violation.message);
}

describe('the room-boundary check (npm run lint)', () => {
  it("reads each room's tables from its module", () => {
    expect(
      rooms.map(({ room, tables, surface, readsEveryRoom }) => ({ room, tables, surface, readsEveryRoom })),
    ).toEqual([
      { room: 'rules', tables: ['tags', 'scores'], surface: ['tag.service'], readsEveryRoom: false },
      { room: 'segments', tables: ['segments'], surface: undefined, readsEveryRoom: true },
      { room: 'pushes', tables: ['pushes'], surface: [], readsEveryRoom: false },
      { room: 'http', tables: [], surface: undefined, readsEveryRoom: false },
    ]);
  });

  it("lets a room write SQL over its own tables and refuses SQL naming another room's", () => {
    expect(violations('src/rules/tag.service.ts', "db.select('SELECT name FROM tags WHERE profile_id = ?')")).toEqual(
      [],
    );
    expect(
      violations('src/pushes/contact.ts', 'db.select(`SELECT t.profile_id FROM pushes p JOIN tags t ON t.x = p.y`)'),
    ).toEqual(["SQL names tags, a table of the rules room: call that room's services instead"]);
    // A write through the dialect's INSERT IGNORE placeholder is seen too.
    expect(
      violations('src/pushes/x.ts', 'db.execute(`${db.insertIgnoreInto} scores (profile_id) VALUES (?)`)'),
    ).toEqual(["SQL names scores, a table of the rules room: call that room's services instead"]);
    // Text that isn't SQL naming a table's word is not SQL.
    expect(violations('src/pushes/y.ts', "const hint = 'pick tags from the list';")).toEqual([]);
  });

  it('lets the read model read every room and write only its own tables', () => {
    expect(
      violations('src/segments/compiler.ts', '`SELECT p.id FROM profiles p JOIN tags t ON t.profile_id = p.id`'),
    ).toEqual([]);
    expect(violations('src/segments/bad.ts', "'DELETE FROM tags WHERE profile_id = ?'")).toEqual([
      "SQL names tags, a table of the rules room: call that room's services instead",
    ]);
  });

  it('wants every table the migrations create to have one owner', () => {
    expect(violations('src/rules/a.ts', '', [...created, 'loyalty_points'])).toEqual([
      "table loyalty_points has no owner: name it in a room's module",
    ]);
    const twice = roomsOf([
      ...modules,
      { file: 'src/ai/ai.module.ts', text: "const r = { room: 'ai', tables: ['tags'] };" },
    ]);
    expect(tableOwnershipViolations(twice, [], created).map((violation) => violation.message)).toEqual([
      'tags is claimed by rules too',
    ]);
  });

  it("lets a room import another room only through that room's surface", () => {
    const imports = (file: string, text: string) =>
      surfaceViolations(rooms, [{ file, text }]).map((violation) => violation.message);
    expect(imports('src/pushes/a.ts', "import type { TagService } from '../rules/tag.service';")).toEqual([]);
    expect(imports('src/pushes/a.ts', "import { ScoringService } from '../rules/scoring.service';")).toEqual([
      "imports src/rules/scoring.service, which is not on the rules room's surface (src/rules/rules.module.ts): use what it offers, or add the file to its surface",
    ]);
    expect(imports('src/pushes/a.ts', "export { ruleSource } from '../rules/tag-rule.service';")).toHaveLength(1);
    // Inside a room, and from a door above the rooms, anything goes.
    expect(imports('src/rules/a.ts', "import { ScoringService } from './scoring.service';")).toEqual([]);
    expect(imports('src/http/a.ts', "import { ScoringService } from '../rules/scoring.service';")).toEqual([]);
  });
});
