// List-prompt matching over all 80 COCO category names, read from the shared COCO annotations.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mentionsClass } from './class-name.ts';

const annotations = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data/coco/annotations/instances_val2017_subset.json');
const categories = (JSON.parse(readFileSync(annotations, 'utf8')) as { categories: { name: string }[] }).categories.map((c) => c.name);

describe('mentionsClass', () => {
  it('covers the 80 COCO categories', () => expect(categories).toHaveLength(80));

  it.each(categories)('finds "%s" in a list answer, capitalized and mid-sentence', (name) => {
    const others = categories.filter((c) => c !== name && !c.includes(name) && !name.includes(c)).slice(0, 3);
    expect(mentionsClass(`The image contains: ${others.join(', ')}, ${name}.`, name)).toBe(true);
    expect(mentionsClass(`${name.toUpperCase()} and a few other things`, name)).toBe(true);
    expect(mentionsClass(`In this picture I see ${others.join(', ')}.`, name)).toBe(false);
  });

  it('accepts plural forms, including irregular ones', () => {
    const cases: [string, string][] = [
      ['person', 'Several people are walking.'],
      ['person', 'two persons'],
      ['knife', 'knives on the table'],
      ['mouse', 'mice'],
      ['bus', 'two buses'],
      ['couch', 'couches'],
      ['wine glass', 'wine glasses'],
      ['traffic light', 'traffic lights'],
      ['traffic light', 'a traffic-light'],
      ['traffic light', 'Traffic  Light'],
      ['hot dog', 'hot dogs'],
      ['skis', 'a ski'],
      ['skis', 'skis'],
      ['sheep', 'sheep'],
      ['teddy bear', 'teddy bears'],
      ['sports ball', 'a sports ball'],
      ['cell phone', 'cell phones'],
      ['tv', 'TVs'],
      ['scissors', 'scissors'],
      ['dining table', 'dining tables'],
    ];
    for (const [name, answer] of cases) expect(mentionsClass(answer, name), `${name} in "${answer}"`).toBe(true);
  });

  it('requires word boundaries and every word of multi-word names', () => {
    const cases: [string, string][] = [
      ['cat', 'category'],
      ['cat', 'concatenate'],
      ['car', 'a cart'],
      ['car', 'scarf'],
      ['tie', 'entities'],
      ['cup', 'cupboard'],
      ['bed', 'bedroom'],
      ['oven', 'woven basket'],
      ['traffic light', 'a light'],
      ['traffic light', 'traffic'],
      ['hot dog', 'a dog'],
      ['sports ball', 'a ball'],
      ['dining table', 'a table'],
      ['bear', 'teddybear'],
      ['apple', 'pineapple'],
    ];
    for (const [name, answer] of cases) expect(mentionsClass(answer, name), `${name} in "${answer}"`).toBe(false);
  });

  it('never throws on arbitrary answers', () => {
    fc.assert(fc.property(fc.string(), fc.constantFrom(...categories), (answer, name) => typeof mentionsClass(answer, name) === 'boolean'));
  });
});
