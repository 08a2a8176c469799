import { mergeGroupedFields } from '../../shared/mapping/merge';
import { isPlainObject } from '../../shared/mapping/paths';
import { ConfigInvalidError } from '../../shared/reliability/errors';
import type {
  AdapterContext,
  AdapterDefinition,
  DeleteRecordOptions,
  ExternalRecord,
  UpdateRecordOptions,
} from '../base/adapter';
import { toProviderDescriptor } from '../rest/providerDescriptor';
import { RestAdapter } from '../rest/restAdapter';
import { wordpressApi } from './descriptor';
import type { WordPressSettings } from './settings';
import { wordpressRestBase, WordPressSettingsSchema } from './settings';

export interface WordPressDeleteOptions extends DeleteRecordOptions {
  /** Delete for good instead of moving to the trash (overrides the settings' deleteMode). */
  readonly force?: boolean;
}

/**
 * WordPress (seed 000 scenarios 1 and 2): posts, pages and custom post types with meta and
 * ACF-style field groups, over the REST API with an Application Password. Everything WordPress
 * does the usual way is data (./descriptor.ts); this class adds the page-past-the-end 400, the
 * grouped-field merge on update and trash-or-force deletes.
 */
export class WordPressAdapter extends RestAdapter {
  readonly settings: WordPressSettings;

  constructor(context: AdapterContext) {
    const parsed = WordPressSettingsSchema.safeParse(context.settings);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      throw new ConfigInvalidError(`invalid WordPress settings at ${where}`, {
        provider: 'wordpress',
        details: { reason: 'settings' },
      });
    }
    const settings = { ...parsed.data, baseUrl: wordpressRestBase(parsed.data.baseUrl) };
    const api = wordpressApi(settings);
    super(
      { ...context, settings: { baseUrl: settings.baseUrl } },
      {
        api,
        providerDescriptor: toProviderDescriptor(
          // Parsed by RestAdapter too; parsing twice keeps the catalogue view in step with the engine.
          RestAdapter.parse(api),
          {
            id: 'wordpress',
            displayName: 'WordPress',
            category: 'cms',
            docsUrl: 'https://developer.wordpress.org/rest-api/',
          },
        ),
        hooks: {
          // WordPress answers a page past the last with 400 rest_post_invalid_page_number instead of
          // an empty list. The first page with the same parameters succeeded, so a 400 on a later
          // page means the list shrank under us: that is the end, not a bad request.
          isPastEnd: (error, page) => error.status === 400 && Number(page.query['page'] ?? '1') > 1,
        },
      },
    );
    this.settings = settings;
  }

  /**
   * Seed 000's rule for grouped fields (`acf`, `meta`): a group that is a dictionary is merged key
   * by key into what WordPress holds, anything else replaces. WordPress itself would replace an
   * ACF group whole, so the current record is read first; a concurrent edit between the read and
   * the write can be lost (WordPress has no ETags to guard it).
   */
  override async updateRecord(
    resourceType: string,
    id: string,
    data: Readonly<Record<string, unknown>>,
    options: UpdateRecordOptions = {},
  ): Promise<ExternalRecord> {
    const grouped = this.settings.groupedFields.filter((g) => isPlainObject(data[g]));
    if (grouped.length === 0) return super.updateRecord(resourceType, id, data, options);
    const current = await this.fetchRecord(
      resourceType,
      id,
      options.abortSignal !== undefined ? { abortSignal: options.abortSignal } : {},
    );
    const body: Record<string, unknown> = { ...data };
    for (const g of grouped) {
      const existing = current?.data[g];
      body[g] = mergeGroupedFields(
        isPlainObject(existing) ? existing : undefined,
        data[g] as Record<string, unknown>,
      );
    }
    return super.updateRecord(resourceType, id, body, options);
  }

  /** Trash by default (a reversible deletion other readers see); `force` deletes for good. */
  override async deleteRecord(
    resourceType: string,
    id: string,
    options: WordPressDeleteOptions = {},
  ): Promise<void> {
    const force = options.force ?? this.settings.deleteMode === 'force';
    await this.deleteWith(resourceType, id, force ? { force: 'true' } : {}, options);
  }
}

export function createWordPressAdapter(context: AdapterContext): WordPressAdapter {
  return new WordPressAdapter(context);
}

/** For adapters/registry.ts: the catalogue view of the built-in post types, and the factory. */
export const wordpressAdapterDefinition: AdapterDefinition = {
  descriptor: toProviderDescriptor(
    RestAdapter.parse(wordpressApi(WordPressSettingsSchema.parse({ baseUrl: 'https://{site}' }))),
    {
      id: 'wordpress',
      displayName: 'WordPress',
      category: 'cms',
      docsUrl: 'https://developer.wordpress.org/rest-api/',
    },
  ),
  createAdapter: createWordPressAdapter,
};
