import { Router } from 'express';
import type { BotCheck } from '../safety/bot-check';

/** GET /bot-check/challenge: a fresh proof-of-work challenge (BOT_CHECK=pow only). */
export function botCheckRoute(botCheck: BotCheck | undefined, provider: string): Router {
  const router = Router();
  if (!botCheck || provider !== 'pow') return router;
  router.get('/bot-check/challenge', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await botCheck.challenge(Date.now()));
  });
  return router;
}
