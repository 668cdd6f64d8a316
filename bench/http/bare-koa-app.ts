/**
 * The floor every CAS route is compared with: a bare Koa 3 + @koa/router app answering "ok",
 * run as its own process. Prints `listening <port>` when ready.
 */
import Koa from 'koa';
import Router from '@koa/router';

const app = new Koa();
const router = new Router();
router.get('/', (ctx) => {
  ctx.body = 'ok';
});
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`listening ${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
