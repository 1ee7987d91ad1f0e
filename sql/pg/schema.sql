-- Directus 11.3.5 system tables for PostgreSQL, as `directus bootstrap` leaves them (its seeds,
-- then all 86 migrations up to 20240924B). Derived from `pg_dump --schema-only` of a database
-- bootstrapped by real Directus 11.3.5 (npm directus@11.3.5 on PostgreSQL 15): loading this file
-- into an empty database gives a byte-identical `pg_dump --schema-only` (sql/README.md).
--
-- Names are unqualified, so the tables land in the first schema of the search path, as Directus's
-- do. What pg_dump shows for knex's increments() (an integer column, a sequence <table>_id_seq
-- owned by it, nextval default) is what `serial` creates; constraint names are knex's
-- (<table>_pkey, <table>_<column>_unique, <table>_<column>_foreign). Column order is the order
-- the migrations left (e.g. directus_extensions.enabled first, directus_files.uploaded_on last),
-- which Directus shows as field order. Tables are in foreign-key order so that every constraint
-- can be declared inline; only self-references point forward.
--
-- celer-fcgi bootstrap runs this file, then data.sql, in one transaction. Statements end with a
-- semicolon at the end of a line; there are no functions or dollar-quoted bodies.

-- directus_activity: one row per action (create, update, delete, login, ...), for the activity feed.
CREATE TABLE directus_activity (
    id          serial,
    action      varchar(45) NOT NULL,
    "user"      uuid,
    "timestamp" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ip          varchar(50),
    user_agent  text,
    collection  varchar(64) NOT NULL,
    item        varchar(255) NOT NULL,
    origin      varchar(255),
    CONSTRAINT directus_activity_pkey PRIMARY KEY (id)
);

-- directus_collections: meta of user collections; system collections have no rows (built into Directus).
CREATE TABLE directus_collections (
    collection              varchar(64) NOT NULL,
    icon                    varchar(64),
    note                    text,
    display_template        varchar(255),
    hidden                  boolean DEFAULT false NOT NULL,
    singleton               boolean DEFAULT false NOT NULL,
    translations            json,
    archive_field           varchar(64),
    archive_app_filter      boolean DEFAULT true NOT NULL,
    archive_value           varchar(255),
    unarchive_value         varchar(255),
    sort_field              varchar(64),
    accountability          varchar(255) DEFAULT 'all',
    color                   varchar(255),
    item_duplication_fields json,
    sort                    integer,
    "group"                 varchar(64),
    collapse                varchar(255) DEFAULT 'open' NOT NULL,
    preview_url             varchar(255),
    versioning              boolean DEFAULT false NOT NULL,
    CONSTRAINT directus_collections_pkey PRIMARY KEY (collection),
    CONSTRAINT directus_collections_group_foreign FOREIGN KEY ("group") REFERENCES directus_collections (collection)
);

-- directus_extensions: installed extensions and whether they are enabled (20231010A, 20240204A).
CREATE TABLE directus_extensions (
    enabled boolean DEFAULT true NOT NULL,
    id      uuid NOT NULL,
    folder  varchar(255) NOT NULL,
    source  varchar(255) NOT NULL,
    bundle  uuid,
    CONSTRAINT directus_extensions_pkey PRIMARY KEY (id)
);

-- directus_fields: meta of user fields (interface, display, special flags, validation).
CREATE TABLE directus_fields (
    id                 serial,
    collection         varchar(64) NOT NULL,
    field              varchar(64) NOT NULL,
    special            varchar(64),
    interface          varchar(64),
    options            json,
    display            varchar(64),
    display_options    json,
    readonly           boolean DEFAULT false NOT NULL,
    hidden             boolean DEFAULT false NOT NULL,
    sort               integer,
    width              varchar(30) DEFAULT 'full',
    translations       json,
    note               text,
    conditions         json,
    required           boolean DEFAULT false,
    "group"            varchar(64),
    validation         json,
    validation_message text,
    CONSTRAINT directus_fields_pkey PRIMARY KEY (id)
);

-- directus_folders: virtual folders of the file library.
CREATE TABLE directus_folders (
    id     uuid NOT NULL,
    name   varchar(255) NOT NULL,
    parent uuid,
    CONSTRAINT directus_folders_pkey PRIMARY KEY (id),
    CONSTRAINT directus_folders_parent_foreign FOREIGN KEY (parent) REFERENCES directus_folders (id)
);

-- directus_migrations: applied migrations; Directus compares them with its own list when it starts.
CREATE TABLE directus_migrations (
    version     varchar(255) NOT NULL,
    name        varchar(255) NOT NULL,
    "timestamp" timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT directus_migrations_pkey PRIMARY KEY (version)
);

-- directus_policies: access policies (Directus 11) with admin/app access, IP and 2FA rules.
CREATE TABLE directus_policies (
    id           uuid NOT NULL,
    name         varchar(100) NOT NULL,
    icon         varchar(64) DEFAULT 'badge' NOT NULL,
    description  text,
    ip_access    text,
    enforce_tfa  boolean DEFAULT false NOT NULL,
    admin_access boolean DEFAULT false NOT NULL,
    app_access   boolean DEFAULT false NOT NULL,
    CONSTRAINT directus_policies_pkey PRIMARY KEY (id)
);

-- directus_relations: user relations (m2o, o2m, m2m, m2a); system relations are built in.
CREATE TABLE directus_relations (
    id                      serial,
    many_collection         varchar(64) NOT NULL,
    many_field              varchar(64) NOT NULL,
    one_collection          varchar(64),
    one_field               varchar(64),
    one_collection_field    varchar(64),
    one_allowed_collections text,
    junction_field          varchar(64),
    sort_field              varchar(64),
    one_deselect_action     varchar(255) DEFAULT 'nullify' NOT NULL,
    CONSTRAINT directus_relations_pkey PRIMARY KEY (id)
);

-- directus_roles: roles, nestable through parent (20240806A).
CREATE TABLE directus_roles (
    id          uuid NOT NULL,
    name        varchar(100) NOT NULL,
    icon        varchar(64) DEFAULT 'supervised_user_circle' NOT NULL,
    description text,
    parent      uuid,
    CONSTRAINT directus_roles_pkey PRIMARY KEY (id),
    CONSTRAINT directus_roles_parent_foreign FOREIGN KEY (parent) REFERENCES directus_roles (id)
);

-- directus_translations: custom translation strings.
CREATE TABLE directus_translations (
    id       uuid NOT NULL,
    language varchar(255) NOT NULL,
    key      varchar(255) NOT NULL,
    value    text NOT NULL,
    CONSTRAINT directus_translations_pkey PRIMARY KEY (id)
);

-- directus_users: users; password holds an argon2 PHC string, token a static token in clear.
CREATE TABLE directus_users (
    id                    uuid NOT NULL,
    first_name            varchar(50),
    last_name             varchar(50),
    email                 varchar(128),
    password              varchar(255),
    location              varchar(255),
    title                 varchar(50),
    description           text,
    tags                  json,
    avatar                uuid,
    language              varchar(255) DEFAULT NULL,
    tfa_secret            varchar(255),
    status                varchar(16) DEFAULT 'active' NOT NULL,
    role                  uuid,
    token                 varchar(255),
    last_access           timestamptz,
    last_page             varchar(255),
    provider              varchar(128) DEFAULT 'default' NOT NULL,
    external_identifier   varchar(255),
    auth_data             json,
    email_notifications   boolean DEFAULT true,
    appearance            varchar(255),
    theme_dark            varchar(255),
    theme_light           varchar(255),
    theme_light_overrides json,
    theme_dark_overrides  json,
    CONSTRAINT directus_users_pkey PRIMARY KEY (id),
    CONSTRAINT directus_users_email_unique UNIQUE (email),
    CONSTRAINT directus_users_external_identifier_unique UNIQUE (external_identifier),
    CONSTRAINT directus_users_token_unique UNIQUE (token),
    CONSTRAINT directus_users_role_foreign FOREIGN KEY (role) REFERENCES directus_roles (id) ON DELETE SET NULL
);

-- directus_access: links a role or a user to a policy; role and user both NULL means public.
CREATE TABLE directus_access (
    id     uuid NOT NULL,
    role   uuid,
    "user" uuid,
    policy uuid NOT NULL,
    sort   integer,
    CONSTRAINT directus_access_pkey PRIMARY KEY (id),
    CONSTRAINT directus_access_policy_foreign FOREIGN KEY (policy) REFERENCES directus_policies (id) ON DELETE CASCADE,
    CONSTRAINT directus_access_role_foreign FOREIGN KEY (role) REFERENCES directus_roles (id) ON DELETE CASCADE,
    CONSTRAINT directus_access_user_foreign FOREIGN KEY ("user") REFERENCES directus_users (id) ON DELETE CASCADE
);

-- directus_comments: item comments, moved out of directus_activity by 20240909A/20240924A.
CREATE TABLE directus_comments (
    id           uuid NOT NULL,
    collection   varchar(64) NOT NULL,
    item         varchar(255) NOT NULL,
    comment      text NOT NULL,
    date_created timestamptz DEFAULT CURRENT_TIMESTAMP,
    date_updated timestamptz DEFAULT CURRENT_TIMESTAMP,
    user_created uuid,
    user_updated uuid,
    CONSTRAINT directus_comments_pkey PRIMARY KEY (id),
    CONSTRAINT directus_comments_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL,
    CONSTRAINT directus_comments_user_updated_foreign FOREIGN KEY (user_updated) REFERENCES directus_users (id)
);

-- directus_dashboards: Insights dashboards.
CREATE TABLE directus_dashboards (
    id           uuid NOT NULL,
    name         varchar(255) NOT NULL,
    icon         varchar(64) DEFAULT 'dashboard' NOT NULL,
    note         text,
    date_created timestamptz DEFAULT CURRENT_TIMESTAMP,
    user_created uuid,
    color        varchar(255),
    CONSTRAINT directus_dashboards_pkey PRIMARY KEY (id),
    CONSTRAINT directus_dashboards_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL
);

-- directus_files: the file library; created_on/modified_on are kept up by Directus (20240716A).
CREATE TABLE directus_files (
    id                uuid NOT NULL,
    storage           varchar(255) NOT NULL,
    filename_disk     varchar(255),
    filename_download varchar(255) NOT NULL,
    title             varchar(255),
    type              varchar(255),
    folder            uuid,
    uploaded_by       uuid,
    created_on        timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
    modified_by       uuid,
    modified_on       timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
    charset           varchar(50),
    filesize          bigint,
    width             integer,
    height            integer,
    duration          integer,
    embed             varchar(200),
    description       text,
    location          text,
    tags              text,
    metadata          json,
    focal_point_x     integer,
    focal_point_y     integer,
    tus_id            varchar(64),
    tus_data          json,
    uploaded_on       timestamptz,
    CONSTRAINT directus_files_pkey PRIMARY KEY (id),
    CONSTRAINT directus_files_folder_foreign FOREIGN KEY (folder) REFERENCES directus_folders (id) ON DELETE SET NULL,
    CONSTRAINT directus_files_modified_by_foreign FOREIGN KEY (modified_by) REFERENCES directus_users (id),
    CONSTRAINT directus_files_uploaded_by_foreign FOREIGN KEY (uploaded_by) REFERENCES directus_users (id)
);

-- directus_flows: automation flows; operation is the first operation.
CREATE TABLE directus_flows (
    id             uuid NOT NULL,
    name           varchar(255) NOT NULL,
    icon           varchar(64),
    color          varchar(255),
    description    text,
    status         varchar(255) DEFAULT 'active' NOT NULL,
    trigger        varchar(255),
    accountability varchar(255) DEFAULT 'all',
    options        json,
    operation      uuid,
    date_created   timestamptz DEFAULT CURRENT_TIMESTAMP,
    user_created   uuid,
    CONSTRAINT directus_flows_pkey PRIMARY KEY (id),
    CONSTRAINT directus_flows_operation_unique UNIQUE (operation),
    CONSTRAINT directus_flows_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL
);

-- directus_notifications: in-app notifications.
CREATE TABLE directus_notifications (
    id          serial,
    "timestamp" timestamptz DEFAULT CURRENT_TIMESTAMP,
    status      varchar(255) DEFAULT 'inbox',
    recipient   uuid NOT NULL,
    sender      uuid,
    subject     varchar(255) NOT NULL,
    message     text,
    collection  varchar(64),
    item        varchar(255),
    CONSTRAINT directus_notifications_pkey PRIMARY KEY (id),
    CONSTRAINT directus_notifications_recipient_foreign FOREIGN KEY (recipient) REFERENCES directus_users (id) ON DELETE CASCADE,
    CONSTRAINT directus_notifications_sender_foreign FOREIGN KEY (sender) REFERENCES directus_users (id)
);

-- directus_operations: flow operations, chained through resolve/reject.
CREATE TABLE directus_operations (
    id           uuid NOT NULL,
    name         varchar(255),
    key          varchar(255) NOT NULL,
    type         varchar(255) NOT NULL,
    position_x   integer NOT NULL,
    position_y   integer NOT NULL,
    options      json,
    resolve      uuid,
    reject       uuid,
    flow         uuid NOT NULL,
    date_created timestamptz DEFAULT CURRENT_TIMESTAMP,
    user_created uuid,
    CONSTRAINT directus_operations_pkey PRIMARY KEY (id),
    CONSTRAINT directus_operations_reject_unique UNIQUE (reject),
    CONSTRAINT directus_operations_resolve_unique UNIQUE (resolve),
    CONSTRAINT directus_operations_flow_foreign FOREIGN KEY (flow) REFERENCES directus_flows (id) ON DELETE CASCADE,
    CONSTRAINT directus_operations_reject_foreign FOREIGN KEY (reject) REFERENCES directus_operations (id),
    CONSTRAINT directus_operations_resolve_foreign FOREIGN KEY (resolve) REFERENCES directus_operations (id),
    CONSTRAINT directus_operations_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL
);

-- directus_panels: Insights panels of a dashboard.
CREATE TABLE directus_panels (
    id           uuid NOT NULL,
    dashboard    uuid NOT NULL,
    name         varchar(255),
    icon         varchar(64) DEFAULT NULL,
    color        varchar(10),
    show_header  boolean DEFAULT false NOT NULL,
    note         text,
    type         varchar(255) NOT NULL,
    position_x   integer NOT NULL,
    position_y   integer NOT NULL,
    width        integer NOT NULL,
    height       integer NOT NULL,
    options      json,
    date_created timestamptz DEFAULT CURRENT_TIMESTAMP,
    user_created uuid,
    CONSTRAINT directus_panels_pkey PRIMARY KEY (id),
    CONSTRAINT directus_panels_dashboard_foreign FOREIGN KEY (dashboard) REFERENCES directus_dashboards (id) ON DELETE CASCADE,
    CONSTRAINT directus_panels_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL
);

-- directus_permissions: permissions of a policy per collection and action (no role or limit columns).
CREATE TABLE directus_permissions (
    id          serial,
    collection  varchar(64) NOT NULL,
    action      varchar(10) NOT NULL,
    permissions json,
    validation  json,
    presets     json,
    fields      text,
    policy      uuid NOT NULL,
    CONSTRAINT directus_permissions_pkey PRIMARY KEY (id),
    CONSTRAINT directus_permissions_policy_foreign FOREIGN KEY (policy) REFERENCES directus_policies (id) ON DELETE CASCADE
);

-- directus_presets: bookmarks and per-user/role layout presets.
CREATE TABLE directus_presets (
    id               serial,
    bookmark         varchar(255),
    "user"           uuid,
    role             uuid,
    collection       varchar(64),
    search           varchar(100),
    layout           varchar(100) DEFAULT 'tabular',
    layout_query     json,
    layout_options   json,
    refresh_interval integer,
    filter           json,
    icon             varchar(64) DEFAULT 'bookmark',
    color            varchar(255),
    CONSTRAINT directus_presets_pkey PRIMARY KEY (id),
    CONSTRAINT directus_presets_role_foreign FOREIGN KEY (role) REFERENCES directus_roles (id) ON DELETE CASCADE,
    CONSTRAINT directus_presets_user_foreign FOREIGN KEY ("user") REFERENCES directus_users (id) ON DELETE CASCADE
);

-- directus_versions: content versions of an item.
CREATE TABLE directus_versions (
    id           uuid NOT NULL,
    key          varchar(64) NOT NULL,
    name         varchar(255),
    collection   varchar(64) NOT NULL,
    item         varchar(255) NOT NULL,
    hash         varchar(255),
    date_created timestamptz DEFAULT CURRENT_TIMESTAMP,
    date_updated timestamptz DEFAULT CURRENT_TIMESTAMP,
    user_created uuid,
    user_updated uuid,
    delta        json,
    CONSTRAINT directus_versions_pkey PRIMARY KEY (id),
    CONSTRAINT directus_versions_collection_foreign FOREIGN KEY (collection) REFERENCES directus_collections (collection) ON DELETE CASCADE,
    CONSTRAINT directus_versions_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL,
    CONSTRAINT directus_versions_user_updated_foreign FOREIGN KEY (user_updated) REFERENCES directus_users (id)
);

-- directus_revisions: item snapshots and deltas, one per activity row (and per version).
CREATE TABLE directus_revisions (
    id         serial,
    activity   integer NOT NULL,
    collection varchar(64) NOT NULL,
    item       varchar(255) NOT NULL,
    data       json,
    delta      json,
    parent     integer,
    version    uuid,
    CONSTRAINT directus_revisions_pkey PRIMARY KEY (id),
    CONSTRAINT directus_revisions_activity_foreign FOREIGN KEY (activity) REFERENCES directus_activity (id) ON DELETE CASCADE,
    CONSTRAINT directus_revisions_parent_foreign FOREIGN KEY (parent) REFERENCES directus_revisions (id),
    CONSTRAINT directus_revisions_version_foreign FOREIGN KEY (version) REFERENCES directus_versions (id) ON DELETE CASCADE
);

-- directus_shares: share links to an item.
CREATE TABLE directus_shares (
    id           uuid NOT NULL,
    name         varchar(255),
    collection   varchar(64) NOT NULL,
    item         varchar(255) NOT NULL,
    role         uuid,
    password     varchar(255),
    user_created uuid,
    date_created timestamptz DEFAULT CURRENT_TIMESTAMP,
    date_start   timestamptz,
    date_end     timestamptz,
    times_used   integer DEFAULT 0,
    max_uses     integer,
    CONSTRAINT directus_shares_pkey PRIMARY KEY (id),
    CONSTRAINT directus_shares_collection_foreign FOREIGN KEY (collection) REFERENCES directus_collections (collection) ON DELETE CASCADE,
    CONSTRAINT directus_shares_role_foreign FOREIGN KEY (role) REFERENCES directus_roles (id) ON DELETE CASCADE,
    CONSTRAINT directus_shares_user_created_foreign FOREIGN KEY (user_created) REFERENCES directus_users (id) ON DELETE SET NULL
);

-- directus_sessions: refresh-token sessions (user) and share sessions (share).
CREATE TABLE directus_sessions (
    token      varchar(64) NOT NULL,
    "user"     uuid,
    expires    timestamptz NOT NULL,
    ip         varchar(255),
    user_agent text,
    share      uuid,
    origin     varchar(255),
    next_token varchar(64),
    CONSTRAINT directus_sessions_pkey PRIMARY KEY (token),
    CONSTRAINT directus_sessions_share_foreign FOREIGN KEY (share) REFERENCES directus_shares (id) ON DELETE CASCADE,
    CONSTRAINT directus_sessions_user_foreign FOREIGN KEY ("user") REFERENCES directus_users (id) ON DELETE CASCADE
);

-- directus_settings: project settings, a singleton; a fresh install has no row.
CREATE TABLE directus_settings (
    id                               serial,
    project_name                     varchar(100) DEFAULT 'Directus' NOT NULL,
    project_url                      varchar(255),
    project_color                    varchar(255) DEFAULT '#6644FF' NOT NULL,
    project_logo                     uuid,
    public_foreground                uuid,
    public_background                uuid,
    public_note                      text,
    auth_login_attempts              integer DEFAULT 25,
    auth_password_policy             varchar(100),
    storage_asset_transform          varchar(7) DEFAULT 'all',
    storage_asset_presets            json,
    custom_css                       text,
    storage_default_folder           uuid,
    basemaps                         json,
    mapbox_key                       varchar(255),
    module_bar                       json,
    project_descriptor               varchar(100),
    default_language                 varchar(255) DEFAULT 'en-US' NOT NULL,
    custom_aspect_ratios             json,
    public_favicon                   uuid,
    default_appearance               varchar(255) DEFAULT 'auto' NOT NULL,
    default_theme_light              varchar(255),
    theme_light_overrides            json,
    default_theme_dark               varchar(255),
    theme_dark_overrides             json,
    report_error_url                 varchar(255),
    report_bug_url                   varchar(255),
    report_feature_url               varchar(255),
    public_registration              boolean DEFAULT false NOT NULL,
    public_registration_verify_email boolean DEFAULT true NOT NULL,
    public_registration_role         uuid,
    public_registration_email_filter json,
    CONSTRAINT directus_settings_pkey PRIMARY KEY (id),
    CONSTRAINT directus_settings_project_logo_foreign FOREIGN KEY (project_logo) REFERENCES directus_files (id),
    CONSTRAINT directus_settings_public_background_foreign FOREIGN KEY (public_background) REFERENCES directus_files (id),
    CONSTRAINT directus_settings_public_favicon_foreign FOREIGN KEY (public_favicon) REFERENCES directus_files (id),
    CONSTRAINT directus_settings_public_foreground_foreign FOREIGN KEY (public_foreground) REFERENCES directus_files (id),
    CONSTRAINT directus_settings_public_registration_role_foreign FOREIGN KEY (public_registration_role) REFERENCES directus_roles (id) ON DELETE SET NULL,
    CONSTRAINT directus_settings_storage_default_folder_foreign FOREIGN KEY (storage_default_folder) REFERENCES directus_folders (id) ON DELETE SET NULL
);

-- directus_webhooks: deprecated by 20240311A; kept for migrated_flow.
CREATE TABLE directus_webhooks (
    id                            serial,
    name                          varchar(255) NOT NULL,
    method                        varchar(10) DEFAULT 'POST' NOT NULL,
    url                           varchar(255) NOT NULL,
    status                        varchar(10) DEFAULT 'active' NOT NULL,
    data                          boolean DEFAULT true NOT NULL,
    actions                       varchar(100) NOT NULL,
    collections                   varchar(255) NOT NULL,
    headers                       json,
    was_active_before_deprecation boolean DEFAULT false NOT NULL,
    migrated_flow                 uuid,
    CONSTRAINT directus_webhooks_pkey PRIMARY KEY (id),
    CONSTRAINT directus_webhooks_migrated_flow_foreign FOREIGN KEY (migrated_flow) REFERENCES directus_flows (id) ON DELETE SET NULL
);
