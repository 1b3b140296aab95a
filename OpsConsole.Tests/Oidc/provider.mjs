// A real OpenID provider for the SSO tests: oidc-provider with its default settings (claims of the profile
// and roles scopes only in the userinfo response, RP-initiated logout, dev login/consent pages).
// Usage: node provider.mjs <redirect_uri> <post_logout_redirect_uri>
// Prints one JSON line {"issuer": "..."} when it listens on 127.0.0.1 (a free port). Test-only control
// endpoint: PUT /__test/accounts/<login> with a JSON body {"roles": [...]} sets that account's roles.
import http from 'node:http';
import Provider from 'oidc-provider';

const [redirectUri, postLogoutRedirectUri] = process.argv.slice(2);
const roles = new Map(); // login -> roles; a login not in the map has none

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'opsconsole',
      client_secret: 'opsconsole-test-secret',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], roles: ['roles'] },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, name: `Test ${id}`, preferred_username: id, roles: roles.get(id) ?? [] };
        },
      };
    },
  });
  provider.proxy = false;
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const m = /^\/__test\/accounts\/([^/?]+)$/.exec(req.url ?? '');
    if (m && req.method === 'PUT') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        roles.set(decodeURIComponent(m[1]), JSON.parse(body).roles ?? []);
        res.writeHead(204).end();
      });
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
