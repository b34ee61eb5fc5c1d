import type { SegmentExpr } from './segment-ast';

export type Locale = 'zh-CN' | 'en';

/** Labels by tag name, in either locale or both. */
export type TagLabelSet = Readonly<Record<string, Readonly<Partial<Record<Locale, string>>>>>;

/**
 * What operators call tags, from the rules' `tags.labels` and category display names: `忠实用户` stands for `loyal`
 * and `兴趣/sports` for `interest/sports`. Labels are matched case-insensitively; a name that is no label is itself.
 */
export class TagLabels {
  static readonly none = new TagLabels({}, {});
  private readonly tags = new Map<string, string>();
  private readonly categories = new Map<string, string>();

  constructor(
    private readonly labels: TagLabelSet,
    categories: Readonly<Record<string, Readonly<Partial<Record<Locale, string>>>>>,
  ) {
    for (const [tag, names] of Object.entries(labels))
      for (const label of Object.values(names)) if (label) this.tags.set(label.toLowerCase(), tag);
    for (const [category, names] of Object.entries(categories)) {
      for (const label of [names['zh-CN'], names.en])
        if (label && label !== category) this.categories.set(label.toLowerCase(), category);
    }
  }

  /** The tag `name` stands for. */
  tagOf(name: string): string {
    const tag = this.tags.get(name.toLowerCase());
    if (tag) return tag;
    const slash = name.indexOf('/');
    const category = slash > 0 ? this.categories.get(name.slice(0, slash).toLowerCase()) : undefined;
    return category ? `${category}/${name.slice(slash + 1)}` : name;
  }

  /** Every label of `tag`, in any locale. */
  labelsOf(tag: string): string[] {
    return Object.values(this.labels[tag] ?? {}).filter((label): label is string => Boolean(label));
  }

  labelOf(tag: string, locale: Locale): string | undefined {
    return this.labels[tag]?.[locale];
  }

  /** `expr` with every tag term naming its tag (labels replaced). */
  resolve(expr: SegmentExpr): SegmentExpr {
    switch (expr.kind) {
      case 'and':
      case 'or':
        return { kind: expr.kind, items: expr.items.map((item) => this.resolve(item)) };
      case 'not':
        return { kind: 'not', item: this.resolve(expr.item) };
      case 'tag':
        return { kind: 'tag', name: this.tagOf(expr.name) };
      default:
        return expr;
    }
  }
}
