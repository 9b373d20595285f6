import path from 'node:path';

/**
 * The folders of src/, lowest first: a folder may import at run time from the folders before it,
 * never from one after it (type-only imports aside: they leave nothing in the built code). Root
 * files compose the module and may import anything; folders may import the root's constants and
 * module definition only. CONTRIBUTING.md explains the order.
 */
export const FOLDER_ORDER = [
  'errors',
  'persistence',
  'migrations',
  'events',
  'body-checks',
  'http',
  'rate-limit',
  'phone',
  'verification',
  'members',
  'sessions',
  'credentials',
  'passwordless',
  'two-factor',
  'account',
  'admin',
  'config',
  'testing',
];

/** Root files any folder may import: constants and the module definition. */
const SHARED_ROOT_FILE = /(^|[.-])constants\.ts$|\.module-definition\.ts$/;

/** Imports that go up the order on purpose, each explained in CONTRIBUTING.md ("Folder order"). */
export const FOLDER_EXCEPTIONS = [];

function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return (
    specifiers.length > 0 &&
    specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type')
  );
}

/** `{ folder }` of a file under src/, `{ root: name }` for a file directly in src/, else null. */
function placeOf(file, src) {
  const relative = path.relative(src, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const parts = relative.split(path.sep);
  return parts.length === 1 ? { root: parts[0] } : { folder: parts[0] };
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Folders of src/ import only from the folders before them' },
    schema: [],
    messages: {
      upward:
        '{{from}}/ may not import {{to}}/ at run time: {{to}} comes after {{from}} in the folder order (eslint/folder-order.js, CONTRIBUTING.md)',
      unknown: 'Folder src/{{folder}}/ has no place in the folder order (eslint/folder-order.js)',
      root: '{{from}}/ may import only the constants and the module definition of src/, not {{file}}',
    },
  },
  create(context) {
    const file = context.physicalFilename;
    const src = path.resolve(context.cwd, 'src');
    const here = placeOf(file, src);
    if (!here?.folder) return {};
    const rank = (folder) => FOLDER_ORDER.indexOf(folder);
    function check(node) {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.') || typeOnly(node)) return;
      const target = path.resolve(path.dirname(file), source.replace(/\.js$/, '.ts'));
      const there = placeOf(target, src);
      if (!there) return;
      if (there.root) {
        if (!SHARED_ROOT_FILE.test(there.root)) {
          context.report({
            node,
            messageId: 'root',
            data: { from: here.folder, file: there.root },
          });
        }
        return;
      }
      if (there.folder === here.folder) return;
      for (const folder of [here.folder, there.folder]) {
        if (rank(folder) === -1) {
          context.report({ node, messageId: 'unknown', data: { folder } });
          return;
        }
      }
      const allowed = FOLDER_EXCEPTIONS.some(
        (e) => e.from === here.folder && e.to === there.folder,
      );
      if (rank(there.folder) > rank(here.folder) && !allowed) {
        context.report({
          node,
          messageId: 'upward',
          data: { from: here.folder, to: there.folder },
        });
      }
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
    };
  },
};

export default { rules: { 'folder-order': rule } };
