-- Sticky knowledge of an image's tags (see custom_images.tags_known in src/db/schema.ts). Nullable
-- with no default, so adding it rewrites nothing; rows written before keep NULL and are judged
-- from their raw item as before.
ALTER TABLE "swas"."custom_images" ADD COLUMN "tags_known" boolean;
