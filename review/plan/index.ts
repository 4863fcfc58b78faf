import type { Formatters } from '../format.js';
import type { RunbookModel } from '../model.js';
import { planMarkdown } from './markdown.js';
import { planText } from './text.js';

export const planFormatters: Formatters<RunbookModel> = {
  text: planText,
  md: planMarkdown,
  json: (m) => `${JSON.stringify(m, null, 2)}\n`,
};
