-- Directus 11.3.5 system tables for MySQL / MariaDB, as `directus bootstrap` leaves them (its
-- seeds, then all 86 migrations up to 20240924B). Derived from `mariadb-dump --no-data` of a
-- database bootstrapped by real Directus 11.3.5 (npm directus@11.3.5, mysql2, MariaDB 10.11):
-- loading this file into an empty database gives a byte-identical dump (sql/README.md).
--
-- As with knex, no table options are given: engine, character set and collation come from the
-- server and the database (Directus's fixture databases are utf8mb4 / utf8mb4_unicode_ci), so
-- Celer's tables and Directus's match on the same server. `json` is MariaDB's alias for longtext
-- utf8mb4_bin with a json_valid() CHECK (a real JSON column on MySQL 8), as knex's json() is.
-- Booleans are tinyint(1); knex's increments() is int unsigned AUTO_INCREMENT.
--
-- Some KEYs have no foreign key (e.g. directus_activity_collection_foreign): migration 20201028A
-- dropped those constraints and MySQL keeps the index a foreign key made. They are kept so the
-- schema is Directus's exactly.
--
-- DDL is not transactional here, so the file is restartable: every table is created IF NOT
-- EXISTS. directus_collections, the table whose presence tells Directus (and celer-fcgi
-- bootstrap) that a database is installed, comes last: celer-fcgi bootstrap runs everything
-- before it, then data.sql and the administrator in one transaction, and only then creates it.
-- A bootstrap cut short therefore never looks installed, and the next run finishes it. Tables
-- are otherwise in foreign-key order; directus_shares and directus_versions refer to
-- directus_collections ahead of it, hence foreign key checks are off until then. Statements end
-- with a semicolon at the end of a line.

-- directus_shares and directus_versions refer to directus_collections, created last.
SET FOREIGN_KEY_CHECKS = 0;

-- directus_activity: one row per action (create, update, delete, login, ...), for the activity feed.
CREATE TABLE IF NOT EXISTS `directus_activity` (
    `id`         int unsigned NOT NULL AUTO_INCREMENT,
    `action`     varchar(45) NOT NULL,
    `user`       char(36),
    `timestamp`  timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `ip`         varchar(50),
    `user_agent` text,
    `collection` varchar(64) NOT NULL,
    `item`       varchar(255) NOT NULL,
    `origin`     varchar(255),
    PRIMARY KEY (`id`),
    KEY `directus_activity_collection_foreign` (`collection`)
);

-- directus_extensions: installed extensions and whether they are enabled (20231010A, 20240204A).
CREATE TABLE IF NOT EXISTS `directus_extensions` (
    `enabled` tinyint(1) NOT NULL DEFAULT 1,
    `id`      char(36) NOT NULL,
    `folder`  varchar(255) NOT NULL,
    `source`  varchar(255) NOT NULL,
    `bundle`  char(36),
    PRIMARY KEY (`id`)
);

-- directus_fields: meta of user fields (interface, display, special flags, validation).
CREATE TABLE IF NOT EXISTS `directus_fields` (
    `id`                 int unsigned NOT NULL AUTO_INCREMENT,
    `collection`         varchar(64) NOT NULL,
    `field`              varchar(64) NOT NULL,
    `special`            varchar(64),
    `interface`          varchar(64),
    `options`            json,
    `display`            varchar(64),
    `display_options`    json,
    `readonly`           tinyint(1) NOT NULL DEFAULT 0,
    `hidden`             tinyint(1) NOT NULL DEFAULT 0,
    `sort`               int unsigned,
    `width`              varchar(30) DEFAULT 'full',
    `translations`       json,
    `note`               text,
    `conditions`         json,
    `required`           tinyint(1) DEFAULT 0,
    `group`              varchar(64),
    `validation`         json,
    `validation_message` text,
    PRIMARY KEY (`id`),
    KEY `directus_fields_collection_foreign` (`collection`)
);

-- directus_folders: virtual folders of the file library.
CREATE TABLE IF NOT EXISTS `directus_folders` (
    `id`     char(36) NOT NULL,
    `name`   varchar(255) NOT NULL,
    `parent` char(36),
    PRIMARY KEY (`id`),
    KEY `directus_folders_parent_foreign` (`parent`),
    CONSTRAINT `directus_folders_parent_foreign` FOREIGN KEY (`parent`) REFERENCES `directus_folders` (`id`)
);

-- directus_migrations: applied migrations; Directus compares them with its own list when it starts.
CREATE TABLE IF NOT EXISTS `directus_migrations` (
    `version`   varchar(255) NOT NULL,
    `name`      varchar(255) NOT NULL,
    `timestamp` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (`version`)
);

-- directus_policies: access policies (Directus 11) with admin/app access, IP and 2FA rules.
CREATE TABLE IF NOT EXISTS `directus_policies` (
    `id`           char(36) NOT NULL,
    `name`         varchar(100) NOT NULL,
    `icon`         varchar(64) NOT NULL DEFAULT 'badge',
    `description`  text,
    `ip_access`    text,
    `enforce_tfa`  tinyint(1) NOT NULL DEFAULT 0,
    `admin_access` tinyint(1) NOT NULL DEFAULT 0,
    `app_access`   tinyint(1) NOT NULL DEFAULT 0,
    PRIMARY KEY (`id`)
);

-- directus_relations: user relations (m2o, o2m, m2m, m2a); system relations are built in.
CREATE TABLE IF NOT EXISTS `directus_relations` (
    `id`                      int unsigned NOT NULL AUTO_INCREMENT,
    `many_collection`         varchar(64) NOT NULL,
    `many_field`              varchar(64) NOT NULL,
    `one_collection`          varchar(64),
    `one_field`               varchar(64),
    `one_collection_field`    varchar(64),
    `one_allowed_collections` text,
    `junction_field`          varchar(64),
    `sort_field`              varchar(64),
    `one_deselect_action`     varchar(255) NOT NULL DEFAULT 'nullify',
    PRIMARY KEY (`id`),
    KEY `directus_relations_many_collection_foreign` (`many_collection`),
    KEY `directus_relations_one_collection_foreign` (`one_collection`)
);

-- directus_roles: roles, nestable through parent (20240806A).
CREATE TABLE IF NOT EXISTS `directus_roles` (
    `id`          char(36) NOT NULL,
    `name`        varchar(100) NOT NULL,
    `icon`        varchar(64) NOT NULL DEFAULT 'supervised_user_circle',
    `description` text,
    `parent`      char(36),
    PRIMARY KEY (`id`),
    KEY `directus_roles_parent_foreign` (`parent`),
    CONSTRAINT `directus_roles_parent_foreign` FOREIGN KEY (`parent`) REFERENCES `directus_roles` (`id`)
);

-- directus_translations: custom translation strings.
CREATE TABLE IF NOT EXISTS `directus_translations` (
    `id`       char(36) NOT NULL,
    `language` varchar(255) NOT NULL,
    `key`      varchar(255) NOT NULL,
    `value`    text NOT NULL,
    PRIMARY KEY (`id`)
);

-- directus_users: users; password holds an argon2 PHC string, token a static token in clear.
CREATE TABLE IF NOT EXISTS `directus_users` (
    `id`                    char(36) NOT NULL,
    `first_name`            varchar(50),
    `last_name`             varchar(50),
    `email`                 varchar(128),
    `password`              varchar(255),
    `location`              varchar(255),
    `title`                 varchar(50),
    `description`           text,
    `tags`                  json,
    `avatar`                char(36),
    `language`              varchar(255),
    `tfa_secret`            varchar(255),
    `status`                varchar(16) NOT NULL DEFAULT 'active',
    `role`                  char(36),
    `token`                 varchar(255),
    `last_access`           timestamp NULL DEFAULT NULL,
    `last_page`             varchar(255),
    `provider`              varchar(128) NOT NULL DEFAULT 'default',
    `external_identifier`   varchar(255),
    `auth_data`             json,
    `email_notifications`   tinyint(1) DEFAULT 1,
    `appearance`            varchar(255),
    `theme_dark`            varchar(255),
    `theme_light`           varchar(255),
    `theme_light_overrides` json,
    `theme_dark_overrides`  json,
    PRIMARY KEY (`id`),
    UNIQUE KEY `directus_users_external_identifier_unique` (`external_identifier`),
    UNIQUE KEY `directus_users_email_unique` (`email`),
    UNIQUE KEY `directus_users_token_unique` (`token`),
    KEY `directus_users_role_foreign` (`role`),
    CONSTRAINT `directus_users_role_foreign` FOREIGN KEY (`role`) REFERENCES `directus_roles` (`id`) ON DELETE SET NULL
);

-- directus_access: links a role or a user to a policy; role and user both NULL means public.
CREATE TABLE IF NOT EXISTS `directus_access` (
    `id`     char(36) NOT NULL,
    `role`   char(36),
    `user`   char(36),
    `policy` char(36) NOT NULL,
    `sort`   int,
    PRIMARY KEY (`id`),
    KEY `directus_access_role_foreign` (`role`),
    KEY `directus_access_user_foreign` (`user`),
    KEY `directus_access_policy_foreign` (`policy`),
    CONSTRAINT `directus_access_policy_foreign` FOREIGN KEY (`policy`) REFERENCES `directus_policies` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_access_role_foreign` FOREIGN KEY (`role`) REFERENCES `directus_roles` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_access_user_foreign` FOREIGN KEY (`user`) REFERENCES `directus_users` (`id`) ON DELETE CASCADE
);

-- directus_comments: item comments, moved out of directus_activity by 20240909A/20240924A.
CREATE TABLE IF NOT EXISTS `directus_comments` (
    `id`           char(36) NOT NULL,
    `collection`   varchar(64) NOT NULL,
    `item`         varchar(255) NOT NULL,
    `comment`      text NOT NULL,
    `date_created` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `date_updated` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `user_created` char(36),
    `user_updated` char(36),
    PRIMARY KEY (`id`),
    KEY `directus_comments_user_created_foreign` (`user_created`),
    KEY `directus_comments_user_updated_foreign` (`user_updated`),
    CONSTRAINT `directus_comments_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL,
    CONSTRAINT `directus_comments_user_updated_foreign` FOREIGN KEY (`user_updated`) REFERENCES `directus_users` (`id`)
);

-- directus_dashboards: Insights dashboards.
CREATE TABLE IF NOT EXISTS `directus_dashboards` (
    `id`           char(36) NOT NULL,
    `name`         varchar(255) NOT NULL,
    `icon`         varchar(64) NOT NULL DEFAULT 'dashboard',
    `note`         text,
    `date_created` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `user_created` char(36),
    `color`        varchar(255),
    PRIMARY KEY (`id`),
    KEY `directus_dashboards_user_created_foreign` (`user_created`),
    CONSTRAINT `directus_dashboards_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL
);

-- directus_files: the file library; created_on/modified_on are kept up by Directus (20240716A).
CREATE TABLE IF NOT EXISTS `directus_files` (
    `id`                char(36) NOT NULL,
    `storage`           varchar(255) NOT NULL,
    `filename_disk`     varchar(255),
    `filename_download` varchar(255) NOT NULL,
    `title`             varchar(255),
    `type`              varchar(255),
    `folder`            char(36),
    `uploaded_by`       char(36),
    `created_on`        timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `modified_by`       char(36),
    `modified_on`       timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `charset`           varchar(50),
    `filesize`          bigint,
    `width`             int unsigned,
    `height`            int unsigned,
    `duration`          int unsigned,
    `embed`             varchar(200),
    `description`       text,
    `location`          text,
    `tags`              text,
    `metadata`          json,
    `focal_point_x`     int,
    `focal_point_y`     int,
    `tus_id`            varchar(64),
    `tus_data`          json,
    `uploaded_on`       timestamp NULL DEFAULT NULL,
    PRIMARY KEY (`id`),
    KEY `directus_files_uploaded_by_foreign` (`uploaded_by`),
    KEY `directus_files_modified_by_foreign` (`modified_by`),
    KEY `directus_files_folder_foreign` (`folder`),
    CONSTRAINT `directus_files_folder_foreign` FOREIGN KEY (`folder`) REFERENCES `directus_folders` (`id`) ON DELETE SET NULL,
    CONSTRAINT `directus_files_modified_by_foreign` FOREIGN KEY (`modified_by`) REFERENCES `directus_users` (`id`),
    CONSTRAINT `directus_files_uploaded_by_foreign` FOREIGN KEY (`uploaded_by`) REFERENCES `directus_users` (`id`)
);

-- directus_flows: automation flows; operation is the first operation.
CREATE TABLE IF NOT EXISTS `directus_flows` (
    `id`             char(36) NOT NULL,
    `name`           varchar(255) NOT NULL,
    `icon`           varchar(64),
    `color`          varchar(255),
    `description`    text,
    `status`         varchar(255) NOT NULL DEFAULT 'active',
    `trigger`        varchar(255),
    `accountability` varchar(255) DEFAULT 'all',
    `options`        json,
    `operation`      char(36),
    `date_created`   timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `user_created`   char(36),
    PRIMARY KEY (`id`),
    UNIQUE KEY `directus_flows_operation_unique` (`operation`),
    KEY `directus_flows_user_created_foreign` (`user_created`),
    CONSTRAINT `directus_flows_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL
);

-- directus_notifications: in-app notifications.
CREATE TABLE IF NOT EXISTS `directus_notifications` (
    `id`         int unsigned NOT NULL AUTO_INCREMENT,
    `timestamp`  timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `status`     varchar(255) DEFAULT 'inbox',
    `recipient`  char(36) NOT NULL,
    `sender`     char(36),
    `subject`    varchar(255) NOT NULL,
    `message`    text,
    `collection` varchar(64),
    `item`       varchar(255),
    PRIMARY KEY (`id`),
    KEY `directus_notifications_recipient_foreign` (`recipient`),
    KEY `directus_notifications_sender_foreign` (`sender`),
    CONSTRAINT `directus_notifications_recipient_foreign` FOREIGN KEY (`recipient`) REFERENCES `directus_users` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_notifications_sender_foreign` FOREIGN KEY (`sender`) REFERENCES `directus_users` (`id`)
);

-- directus_operations: flow operations, chained through resolve/reject.
CREATE TABLE IF NOT EXISTS `directus_operations` (
    `id`           char(36) NOT NULL,
    `name`         varchar(255),
    `key`          varchar(255) NOT NULL,
    `type`         varchar(255) NOT NULL,
    `position_x`   int NOT NULL,
    `position_y`   int NOT NULL,
    `options`      json,
    `resolve`      char(36),
    `reject`       char(36),
    `flow`         char(36) NOT NULL,
    `date_created` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `user_created` char(36),
    PRIMARY KEY (`id`),
    UNIQUE KEY `directus_operations_resolve_unique` (`resolve`),
    UNIQUE KEY `directus_operations_reject_unique` (`reject`),
    KEY `directus_operations_flow_foreign` (`flow`),
    KEY `directus_operations_user_created_foreign` (`user_created`),
    CONSTRAINT `directus_operations_flow_foreign` FOREIGN KEY (`flow`) REFERENCES `directus_flows` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_operations_reject_foreign` FOREIGN KEY (`reject`) REFERENCES `directus_operations` (`id`),
    CONSTRAINT `directus_operations_resolve_foreign` FOREIGN KEY (`resolve`) REFERENCES `directus_operations` (`id`),
    CONSTRAINT `directus_operations_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL
);

-- directus_panels: Insights panels of a dashboard.
CREATE TABLE IF NOT EXISTS `directus_panels` (
    `id`           char(36) NOT NULL,
    `dashboard`    char(36) NOT NULL,
    `name`         varchar(255),
    `icon`         varchar(64),
    `color`        varchar(10),
    `show_header`  tinyint(1) NOT NULL DEFAULT 0,
    `note`         text,
    `type`         varchar(255) NOT NULL,
    `position_x`   int NOT NULL,
    `position_y`   int NOT NULL,
    `width`        int NOT NULL,
    `height`       int NOT NULL,
    `options`      json,
    `date_created` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `user_created` char(36),
    PRIMARY KEY (`id`),
    KEY `directus_panels_dashboard_foreign` (`dashboard`),
    KEY `directus_panels_user_created_foreign` (`user_created`),
    CONSTRAINT `directus_panels_dashboard_foreign` FOREIGN KEY (`dashboard`) REFERENCES `directus_dashboards` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_panels_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL
);

-- directus_permissions: permissions of a policy per collection and action (no role or limit columns).
CREATE TABLE IF NOT EXISTS `directus_permissions` (
    `id`          int unsigned NOT NULL AUTO_INCREMENT,
    `collection`  varchar(64) NOT NULL,
    `action`      varchar(10) NOT NULL,
    `permissions` json,
    `validation`  json,
    `presets`     json,
    `fields`      text,
    `policy`      char(36) NOT NULL,
    PRIMARY KEY (`id`),
    KEY `directus_permissions_collection_foreign` (`collection`),
    KEY `directus_permissions_policy_foreign` (`policy`),
    CONSTRAINT `directus_permissions_policy_foreign` FOREIGN KEY (`policy`) REFERENCES `directus_policies` (`id`) ON DELETE CASCADE
);

-- directus_presets: bookmarks and per-user/role layout presets.
CREATE TABLE IF NOT EXISTS `directus_presets` (
    `id`               int unsigned NOT NULL AUTO_INCREMENT,
    `bookmark`         varchar(255),
    `user`             char(36),
    `role`             char(36),
    `collection`       varchar(64),
    `search`           varchar(100),
    `layout`           varchar(100) DEFAULT 'tabular',
    `layout_query`     json,
    `layout_options`   json,
    `refresh_interval` int,
    `filter`           json,
    `icon`             varchar(64) DEFAULT 'bookmark',
    `color`            varchar(255),
    PRIMARY KEY (`id`),
    KEY `directus_presets_collection_foreign` (`collection`),
    KEY `directus_presets_user_foreign` (`user`),
    KEY `directus_presets_role_foreign` (`role`),
    CONSTRAINT `directus_presets_role_foreign` FOREIGN KEY (`role`) REFERENCES `directus_roles` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_presets_user_foreign` FOREIGN KEY (`user`) REFERENCES `directus_users` (`id`) ON DELETE CASCADE
);

-- directus_versions: content versions of an item.
CREATE TABLE IF NOT EXISTS `directus_versions` (
    `id`           char(36) NOT NULL,
    `key`          varchar(64) NOT NULL,
    `name`         varchar(255),
    `collection`   varchar(64) NOT NULL,
    `item`         varchar(255) NOT NULL,
    `hash`         varchar(255),
    `date_created` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `date_updated` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `user_created` char(36),
    `user_updated` char(36),
    `delta`        json,
    PRIMARY KEY (`id`),
    KEY `directus_versions_collection_foreign` (`collection`),
    KEY `directus_versions_user_created_foreign` (`user_created`),
    KEY `directus_versions_user_updated_foreign` (`user_updated`),
    CONSTRAINT `directus_versions_collection_foreign` FOREIGN KEY (`collection`) REFERENCES `directus_collections` (`collection`) ON DELETE CASCADE,
    CONSTRAINT `directus_versions_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL,
    CONSTRAINT `directus_versions_user_updated_foreign` FOREIGN KEY (`user_updated`) REFERENCES `directus_users` (`id`)
);

-- directus_revisions: item snapshots and deltas, one per activity row (and per version).
CREATE TABLE IF NOT EXISTS `directus_revisions` (
    `id`         int unsigned NOT NULL AUTO_INCREMENT,
    `activity`   int unsigned NOT NULL,
    `collection` varchar(64) NOT NULL,
    `item`       varchar(255) NOT NULL,
    `data`       json,
    `delta`      json,
    `parent`     int unsigned,
    `version`    char(36),
    PRIMARY KEY (`id`),
    KEY `directus_revisions_collection_foreign` (`collection`),
    KEY `directus_revisions_parent_foreign` (`parent`),
    KEY `directus_revisions_activity_foreign` (`activity`),
    KEY `directus_revisions_version_foreign` (`version`),
    CONSTRAINT `directus_revisions_activity_foreign` FOREIGN KEY (`activity`) REFERENCES `directus_activity` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_revisions_parent_foreign` FOREIGN KEY (`parent`) REFERENCES `directus_revisions` (`id`),
    CONSTRAINT `directus_revisions_version_foreign` FOREIGN KEY (`version`) REFERENCES `directus_versions` (`id`) ON DELETE CASCADE
);

-- directus_shares: share links to an item.
CREATE TABLE IF NOT EXISTS `directus_shares` (
    `id`           char(36) NOT NULL,
    `name`         varchar(255),
    `collection`   varchar(64) NOT NULL,
    `item`         varchar(255) NOT NULL,
    `role`         char(36),
    `password`     varchar(255),
    `user_created` char(36),
    `date_created` timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    `date_start`   timestamp NULL DEFAULT NULL,
    `date_end`     timestamp NULL DEFAULT NULL,
    `times_used`   int DEFAULT 0,
    `max_uses`     int,
    PRIMARY KEY (`id`),
    KEY `directus_shares_role_foreign` (`role`),
    KEY `directus_shares_user_created_foreign` (`user_created`),
    KEY `directus_shares_collection_foreign` (`collection`),
    CONSTRAINT `directus_shares_collection_foreign` FOREIGN KEY (`collection`) REFERENCES `directus_collections` (`collection`) ON DELETE CASCADE,
    CONSTRAINT `directus_shares_role_foreign` FOREIGN KEY (`role`) REFERENCES `directus_roles` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_shares_user_created_foreign` FOREIGN KEY (`user_created`) REFERENCES `directus_users` (`id`) ON DELETE SET NULL
);

-- directus_sessions: refresh-token sessions (user) and share sessions (share).
CREATE TABLE IF NOT EXISTS `directus_sessions` (
    `token`      varchar(64) NOT NULL,
    `user`       char(36),
    `expires`    timestamp NOT NULL,
    `ip`         varchar(255),
    `user_agent` text,
    `share`      char(36),
    `origin`     varchar(255),
    `next_token` varchar(64),
    PRIMARY KEY (`token`),
    KEY `directus_sessions_user_foreign` (`user`),
    KEY `directus_sessions_share_foreign` (`share`),
    CONSTRAINT `directus_sessions_share_foreign` FOREIGN KEY (`share`) REFERENCES `directus_shares` (`id`) ON DELETE CASCADE,
    CONSTRAINT `directus_sessions_user_foreign` FOREIGN KEY (`user`) REFERENCES `directus_users` (`id`) ON DELETE CASCADE
);

-- directus_settings: project settings, a singleton; a fresh install has no row.
CREATE TABLE IF NOT EXISTS `directus_settings` (
    `id`                               int unsigned NOT NULL AUTO_INCREMENT,
    `project_name`                     varchar(100) NOT NULL DEFAULT 'Directus',
    `project_url`                      varchar(255),
    `project_color`                    varchar(255) NOT NULL DEFAULT '#6644FF',
    `project_logo`                     char(36),
    `public_foreground`                char(36),
    `public_background`                char(36),
    `public_note`                      text,
    `auth_login_attempts`              int unsigned DEFAULT 25,
    `auth_password_policy`             varchar(100),
    `storage_asset_transform`          varchar(7) DEFAULT 'all',
    `storage_asset_presets`            json,
    `custom_css`                       text,
    `storage_default_folder`           char(36),
    `basemaps`                         json,
    `mapbox_key`                       varchar(255),
    `module_bar`                       json,
    `project_descriptor`               varchar(100),
    `default_language`                 varchar(255) NOT NULL DEFAULT 'en-US',
    `custom_aspect_ratios`             json,
    `public_favicon`                   char(36),
    `default_appearance`               varchar(255) NOT NULL DEFAULT 'auto',
    `default_theme_light`              varchar(255),
    `theme_light_overrides`            json,
    `default_theme_dark`               varchar(255),
    `theme_dark_overrides`             json,
    `report_error_url`                 varchar(255),
    `report_bug_url`                   varchar(255),
    `report_feature_url`               varchar(255),
    `public_registration`              tinyint(1) NOT NULL DEFAULT 0,
    `public_registration_verify_email` tinyint(1) NOT NULL DEFAULT 1,
    `public_registration_role`         char(36),
    `public_registration_email_filter` json,
    PRIMARY KEY (`id`),
    KEY `directus_settings_project_logo_foreign` (`project_logo`),
    KEY `directus_settings_public_foreground_foreign` (`public_foreground`),
    KEY `directus_settings_public_background_foreign` (`public_background`),
    KEY `directus_settings_storage_default_folder_foreign` (`storage_default_folder`),
    KEY `directus_settings_public_favicon_foreign` (`public_favicon`),
    KEY `directus_settings_public_registration_role_foreign` (`public_registration_role`),
    CONSTRAINT `directus_settings_project_logo_foreign` FOREIGN KEY (`project_logo`) REFERENCES `directus_files` (`id`),
    CONSTRAINT `directus_settings_public_background_foreign` FOREIGN KEY (`public_background`) REFERENCES `directus_files` (`id`),
    CONSTRAINT `directus_settings_public_favicon_foreign` FOREIGN KEY (`public_favicon`) REFERENCES `directus_files` (`id`),
    CONSTRAINT `directus_settings_public_foreground_foreign` FOREIGN KEY (`public_foreground`) REFERENCES `directus_files` (`id`),
    CONSTRAINT `directus_settings_public_registration_role_foreign` FOREIGN KEY (`public_registration_role`) REFERENCES `directus_roles` (`id`) ON DELETE SET NULL,
    CONSTRAINT `directus_settings_storage_default_folder_foreign` FOREIGN KEY (`storage_default_folder`) REFERENCES `directus_folders` (`id`) ON DELETE SET NULL
);

-- directus_webhooks: deprecated by 20240311A; kept for migrated_flow.
CREATE TABLE IF NOT EXISTS `directus_webhooks` (
    `id`                            int unsigned NOT NULL AUTO_INCREMENT,
    `name`                          varchar(255) NOT NULL,
    `method`                        varchar(10) NOT NULL DEFAULT 'POST',
    `url`                           varchar(255) NOT NULL,
    `status`                        varchar(10) NOT NULL DEFAULT 'active',
    `data`                          tinyint(1) NOT NULL DEFAULT 1,
    `actions`                       varchar(100) NOT NULL,
    `collections`                   varchar(255) NOT NULL,
    `headers`                       json,
    `was_active_before_deprecation` tinyint(1) NOT NULL DEFAULT 0,
    `migrated_flow`                 char(36),
    PRIMARY KEY (`id`),
    KEY `directus_webhooks_migrated_flow_foreign` (`migrated_flow`),
    CONSTRAINT `directus_webhooks_migrated_flow_foreign` FOREIGN KEY (`migrated_flow`) REFERENCES `directus_flows` (`id`) ON DELETE SET NULL
);

SET FOREIGN_KEY_CHECKS = 1;

-- directus_collections: meta of user collections; system collections have no rows (built into Directus).
CREATE TABLE IF NOT EXISTS `directus_collections` (
    `collection`              varchar(64) NOT NULL,
    `icon`                    varchar(64),
    `note`                    text,
    `display_template`        varchar(255),
    `hidden`                  tinyint(1) NOT NULL DEFAULT 0,
    `singleton`               tinyint(1) NOT NULL DEFAULT 0,
    `translations`            json,
    `archive_field`           varchar(64),
    `archive_app_filter`      tinyint(1) NOT NULL DEFAULT 1,
    `archive_value`           varchar(255),
    `unarchive_value`         varchar(255),
    `sort_field`              varchar(64),
    `accountability`          varchar(255) DEFAULT 'all',
    `color`                   varchar(255),
    `item_duplication_fields` json,
    `sort`                    int,
    `group`                   varchar(64),
    `collapse`                varchar(255) NOT NULL DEFAULT 'open',
    `preview_url`             varchar(255),
    `versioning`              tinyint(1) NOT NULL DEFAULT 0,
    PRIMARY KEY (`collection`),
    KEY `directus_collections_group_foreign` (`group`),
    CONSTRAINT `directus_collections_group_foreign` FOREIGN KEY (`group`) REFERENCES `directus_collections` (`collection`)
);
