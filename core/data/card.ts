/** The dataset card: what a dataset is, stored as JSON in the Arrow schema metadata (key `o2o.card`). */
import { z } from 'zod';
import { DatasetError } from './types.js';
import type { DatasetCard } from '../common/dataset-card.js';

/** Schema metadata key holding the card. */
export const CARD_METADATA_KEY = 'o2o.card';
/** The card format this version writes. */
export const CARD_FORMAT_VERSION = 1;

const nonNegativeInteger = z.number().int().nonnegative();
export const datasetCardSchema = z.object({
  formatVersion: z.number().int().positive(),
  envId: z.string().min(1),
  behaviorPolicy: z.string().min(1),
  seed: z.number().int().nullable(),
  episodes: nonNegativeInteger,
  steps: nonNegativeInteger,
  referenceMinScore: z.number().nullable(),
  referenceMaxScore: z.number().nullable(),
  author: z.string(),
  createdAt: z.string().min(1),
  description: z.string().optional(),
  dataSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits')
    .optional(),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'card'}: ${issue.message}`)
    .join('; ');
}

/** Check a card before writing it (throws a RangeError naming the field). */
export function validateCard(card: DatasetCard): DatasetCard {
  const result = datasetCardSchema.safeParse(card);
  if (!result.success) throw new RangeError(`invalid dataset card: ${describeIssues(result.error)}`);
  return result.data;
}

/** Parse the card from schema metadata; null when absent, DatasetError when malformed. */
export function parseCard(file: string, metadata: Map<string, string>): DatasetCard | null {
  const text = metadata.get(CARD_METADATA_KEY);
  if (text === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(
      file,
      `the dataset card in schema metadata "${CARD_METADATA_KEY}" is not valid JSON (${(error as Error).message})`,
    );
  }
  const result = datasetCardSchema.safeParse(json);
  if (!result.success) {
    throw new DatasetError(
      file,
      `the dataset card in schema metadata "${CARD_METADATA_KEY}" is invalid: ${describeIssues(result.error)}`,
    );
  }
  return result.data;
}

/** The card as the JSON text stored in the file (keys in a fixed order, so files are byte-stable). */
export function serializeCard(card: DatasetCard): string {
  const ordered: DatasetCard = {
    formatVersion: card.formatVersion,
    envId: card.envId,
    behaviorPolicy: card.behaviorPolicy,
    seed: card.seed,
    episodes: card.episodes,
    steps: card.steps,
    referenceMinScore: card.referenceMinScore,
    referenceMaxScore: card.referenceMaxScore,
    author: card.author,
    createdAt: card.createdAt,
    ...(card.description !== undefined ? { description: card.description } : {}),
    ...(card.dataSha256 !== undefined ? { dataSha256: card.dataSha256 } : {}),
  };
  return JSON.stringify(ordered);
}
