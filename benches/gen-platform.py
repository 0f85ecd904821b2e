#!/usr/bin/env python3
"""Writes a platform checkout for benchmarking `polycache check`.

    gen-platform.py OUT_DIR [FILES] [KB_PER_FILE] [CALL_EVERY]

OUT_DIR gets the clean fixture tree (tests/fixtures/platform/clean) plus FILES generated
TypeScript files under server/src/generated/ (one in ten is .tsx: server-rendered email
templates), each about KB_PER_FILE kilobytes of route handlers, services and types.
One file in CALL_EVERY calls appCache.invalidate/notify (with literal types, constants,
a typo and a run-time value, like real code); the others never mention appCache.
Deterministic: the same arguments write the same bytes.
"""

import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN = os.path.join(HERE, "..", "tests", "fixtures", "platform", "clean")

TYPES = ["posts", "post", "pages", "page", "categories", "category", "pictures", "picture",
         "translations", "translation", "types", "type", "feed", "auth"]

HEADER = """import {{ Hono }} from 'hono';
import {{ z }} from 'zod';
import {{ db }} from '../../db.js';
import {{ cacheLogger }} from '../../commons/logger.js';
{extra_import}
/**
 * {name}: handlers and helpers generated for the benchmark. Comments mention caches and
 * invalidation in prose, the way real code does, without calling anything.
 */
export const {name}Router = new Hono();

export interface {Name}Row {{
    id: string;
    slug: string;
    title: string;
    body: string | null;
    createdAt: Date;
    updatedAt: Date;
    tags: readonly string[];
}}
"""

BLOCK = """
const {name}Schema{i} = z.object({{
    title: z.string().min(1).max(200),
    body: z.string().optional(),
    tags: z.array(z.string()).default([]),
    published: z.boolean().default(false),
}});

/** Loads one {name} row by id, with its tags; returns null when it does not exist. */
export async function load{Name}{i}(id: string): Promise<{Name}Row | null> {{
    const row = await db.query<{Name}Row>('select * from {name} where id = $1', [id]);
    if (!row) return null;
    const tags = await db.query<string[]>('select tag from {name}_tags where id = $1', [id]);
    return {{ ...row, tags: tags ?? [] }};
}}

{name}Router.patch('/{i}/:id', async (c) => {{
    const id = c.req.param('id');
    const parsed = {name}Schema{i}.safeParse(await c.req.json());
    if (!parsed.success) return c.json({{ error: parsed.error.flatten() }}, 400);
    const before = await load{Name}{i}(id);
    if (!before) return c.json({{ error: 'not found' }}, 404);
    const updated = {{ ...before, ...parsed.data, updatedAt: new Date() }};
    await db.update('{name}', id, updated);
    cacheLogger.debug({{ id, changed: Object.keys(parsed.data) }}, 'updated {name} row {i}');{call}
    return c.json(updated);
}});
"""

CALLS = [
    "\n    await appCache.invalidate('{t}');\n    appCache.notify('{t}', id, 'update');",
    "\n    await appCache.invalidate(CACHE_TYPE);\n    appCache.notify(CACHE_TYPE, id, 'update');",
    "\n    await appCache.invalidate(kind as string); // known only at run time",
    "\n    appCache.notify('{typo}', id, 'delete');",
]

TSX = """
export function {Name}Email{i}({{ title, url }}: {{ title: string; url: string }}) {{
    return (
        <html>
            <body style={{{{ fontFamily: 'sans-serif' }}}}>
                <h1>{{title}}</h1>
                <p>A change to <a href={{url}}>{{title}}</a> was published.</p>
            </body>
        </html>
    );
}}
"""


def main():
    out = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    kb = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    every = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    rnd = random.Random(42)
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(CLEAN, out)
    gen = os.path.join(out, "server", "src", "generated")
    for n in range(files):
        name = f"module{n}"
        Name = f"Module{n}"
        tsx = n % 10 == 9
        calls = n % every == 0
        d = os.path.join(gen, f"area{n % 50}", f"m{n}")
        os.makedirs(d, exist_ok=True)
        extra = ""
        if calls:
            extra = "import { appCache } from '../../../cache.js';\n"
            extra += f"const CACHE_TYPE = '{rnd.choice(TYPES)}' as const;\nconst kind = process.env.KIND;\n"
        parts = [HEADER.format(name=name, Name=Name, extra_import=extra)]
        size = len(parts[0])
        i = 0
        while size < kb * 1024:
            call = ""
            if calls and i < 2:
                template = CALLS[rnd.randrange(len(CALLS))]
                call = template.format(t=rnd.choice(TYPES), typo=rnd.choice(["postz", "categroy", "pagez"]))
            block = (TSX if tsx and i % 3 == 2 else BLOCK).format(name=name, Name=Name, i=i, call=call)
            parts.append(block)
            size += len(block)
            i += 1
        ext = "tsx" if tsx else "ts"
        with open(os.path.join(d, f"{name}.{ext}"), "w") as f:
            f.write("".join(parts))


if __name__ == "__main__":
    main()
