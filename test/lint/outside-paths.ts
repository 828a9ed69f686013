// Finds references in a repository file that a reader of the repository cannot follow: absolute
// paths on some machine, relative paths that climb out of the repository, Markdown links to files
// that are not in it, and citations of upper-case documents (a name in capitals followed by `.md`
// or by a section sign) it does not hold.
import { posix } from 'node:path';

/** One reference that leads outside the repository. */
export interface OutsideReference {
  /** 1-based line of the reference. */
  readonly line: number;
  /** The text that names the outside path. */
  readonly text: string;
  /** Why it cannot be followed. */
  readonly reason: string;
}

/**
 * Top-level directories that only exist on a particular machine (a build host's work tree, a
 * temporary directory, someone's home). System paths a program uses (`/dev/null`, `/proc`,
 * `/usr/bin`) are not references to documents and are allowed.
 */
const MACHINE_ROOTS = ['work', 'tmp', 'home', 'Users', 'root', 'mnt', 'srv', 'private'];

// Preceded by nothing that makes it part of a URL or a longer path (`https://host/tmp/x`,
// `a/<root>/x`); a `file://` URL is still caught because `//` before it is allowed.
const MACHINE_PATH = new RegExp(String.raw`(?<![\w.:%@~-])/(?:${MACHINE_ROOTS.join('|')})/[\w.@+%-]*`, 'g');
const CLIMBING_PATH = /(?<![\w.])(?:\.\.\/)+[\w@.-]+/g;
/**
 * A line that holds a relative path meant from somewhere else (a fixture resolved against another
 * file) says so, on it or on the line before, with this marker and a reason; only the
 * climbing-path rule is waived there.
 */
export const RELATIVE_ELSEWHERE_MARKER = 'outside-paths: relative to ';
const MARKDOWN_LINK = /\]\(([^)\s]+)\)/g;
const UPPER_CASE_DOC = /\b([A-Z][A-Z0-9]*(?:[-_][A-Z0-9]+)*)(\.md\b| §)/g;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** Whether `target`, resolved against the directory of `file`, stays inside the repository. */
function resolveInside(file: string, target: string): string | undefined {
  const resolved = posix.normalize(posix.join(posix.dirname(file), target));
  return resolved === '..' || resolved.startsWith('../') ? undefined : resolved;
}

/**
 * Every outside reference in `text`, the content of the repository file `file` (a path relative to
 * the repository root, `/`-separated). `repoFiles` holds every file of the repository, the same way.
 */
export function outsideReferences(
  file: string,
  text: string,
  repoFiles: ReadonlySet<string>,
): OutsideReference[] {
  const found: OutsideReference[] = [];
  const add = (index: number, match: string, reason: string): void => {
    found.push({ line: lineOf(text, index), text: match, reason });
  };
  const directories = new Set<string>(['.']);
  for (const repoFile of repoFiles) {
    for (let dir = posix.dirname(repoFile); dir !== '.'; dir = posix.dirname(dir)) directories.add(dir);
  }
  const docNames = new Set([...repoFiles].map((repoFile) => posix.basename(repoFile).replace(/\.md$/, '')));

  for (const match of text.matchAll(MACHINE_PATH)) {
    add(match.index, match[0], 'an absolute path on some machine, not in the repository');
  }
  const lines = text.split('\n');
  for (const match of text.matchAll(CLIMBING_PATH)) {
    const line = lineOf(text, match.index);
    const marked = [lines[line - 1], lines[line - 2]].some((l) => l?.includes(RELATIVE_ELSEWHERE_MARKER));
    if (!marked && resolveInside(file, match[0]) === undefined) {
      add(match.index, match[0], 'a relative path that leaves the repository');
    }
  }
  if (file.endsWith('.md')) {
    for (const match of text.matchAll(MARKDOWN_LINK)) {
      const target = match[1]!.replace(/#.*$/, '');
      if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const resolved = target.startsWith('/') ? undefined : resolveInside(file, target.replace(/\/$/, ''));
      if (resolved === undefined || !(repoFiles.has(resolved) || directories.has(resolved))) {
        add(match.index, match[1]!, 'a link to a file that is not in the repository');
      }
    }
  }
  for (const match of text.matchAll(UPPER_CASE_DOC)) {
    if (!docNames.has(match[1]!)) {
      add(match.index, match[0], `cites ${match[1]!}, a document that is not in the repository`);
    }
  }
  return found;
}
