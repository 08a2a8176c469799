import type { ConnectionDocument } from '../domain/connection';
import type {
  DeleteOptions,
  Page,
  PageRequest,
  ReplaceOptions,
  StoreOptions,
  Versioned,
} from './documentStore';

export interface ConnectionFilter {
  readonly provider?: string | undefined;
}

/** Connections (names and versions of secrets, never their values), scoped to one tenant. */
export interface ConnectionStore {
  createConnection(doc: ConnectionDocument, options?: StoreOptions): Promise<Versioned<ConnectionDocument>>;
  getConnection(
    tenantId: string,
    connectionId: string,
    options?: StoreOptions,
  ): Promise<Versioned<ConnectionDocument> | undefined>;
  listConnections(
    tenantId: string,
    filter: ConnectionFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<Versioned<ConnectionDocument>>>;
  replaceConnection(doc: ConnectionDocument, options: ReplaceOptions): Promise<Versioned<ConnectionDocument>>;
  deleteConnection(tenantId: string, connectionId: string, options?: DeleteOptions): Promise<boolean>;
}
