import { describe, expect, it } from 'vitest';
import { looksLikeJwt, oidcSettingsFromEnv, OidcSettingsError, parseRoleMap, rolesOf } from '../../api/oidc.js';
import { ConfigError, loadConfig } from '../../runtime/config.js';

describe('single sign-on settings', () => {
  it('are off without an issuer, and need an audience with one', () => {
    expect(oidcSettingsFromEnv({})).toBeUndefined();
    expect(() => oidcSettingsFromEnv({ IRFLOW_OIDC_ISSUER: 'https://idp.example/realms/soc' })).toThrow(/IRFLOW_OIDC_AUDIENCE/);
    expect(() => oidcSettingsFromEnv({ IRFLOW_OIDC_ISSUER: 'not a url', IRFLOW_OIDC_AUDIENCE: 'irflow' })).toThrow(OidcSettingsError);
    expect(oidcSettingsFromEnv({ IRFLOW_OIDC_ISSUER: 'https://idp.example', IRFLOW_OIDC_AUDIENCE: 'irflow' })).toEqual({ issuer: 'https://idp.example', audience: 'irflow', rolesClaim: 'roles' });
  });

  it('read the role map as JSON of groups to a role or a list of roles, and refuse roles irflow does not have', () => {
    expect(parseRoleMap('{"soc-l1":"analyst","leads":["analyst","approver"]}')).toEqual({ 'soc-l1': ['analyst'], leads: ['analyst', 'approver'] });
    expect(() => parseRoleMap('{"soc":"superuser"}')).toThrow(/superuser/);
    expect(() => parseRoleMap('soc=analyst')).toThrow(/not JSON/);
    expect(() => parseRoleMap('["analyst"]')).toThrow(/object/);
  });

  it('are a configuration error at start-up when wrong', () => {
    expect(() => loadConfig({ IRFLOW_OIDC_ISSUER: 'https://idp.example', IRFLOW_OIDC_AUDIENCE: 'irflow', IRFLOW_OIDC_ROLE_MAP: '{' })).toThrow(ConfigError);
    expect(loadConfig({ IRFLOW_OIDC_ISSUER: 'https://idp.example', IRFLOW_OIDC_AUDIENCE: 'irflow', IRFLOW_OIDC_ROLES_CLAIM: 'realm_access.roles' }).oidc?.rolesClaim).toBe('realm_access.roles');
    expect(loadConfig({ IRFLOW_REQUEST_TIMEOUT_MS: '30000' }).requestTimeoutMs).toBe(30000);
    expect(() => loadConfig({ IRFLOW_REQUEST_TIMEOUT_MS: '10' })).toThrow(ConfigError);
  });
});

describe('roles from a token', () => {
  const map = { roleMap: { 'soc-l1': ['analyst'], leads: ['analyst', 'approver'] } as const };
  it('come from a nested claim through the map, once each; unmapped groups give nothing', () => {
    const payload = { realm_access: { roles: ['soc-l1', 'leads', 'offline_access'] } };
    expect(rolesOf(payload, { rolesClaim: 'realm_access.roles', ...map })).toEqual(['analyst', 'approver']);
    expect(rolesOf({ groups: ['marketing'] }, { rolesClaim: 'groups', ...map })).toEqual([]);
    expect(rolesOf({}, { rolesClaim: 'groups', ...map })).toEqual([]);
  });

  it('without a map are the claim values that are irflow role names; a space-separated claim counts too', () => {
    expect(rolesOf({ roles: ['auditor', 'soc-l1', 'admin'] }, { rolesClaim: 'roles' })).toEqual(['auditor', 'admin']);
    expect(rolesOf({ scp: 'analyst approver' }, { rolesClaim: 'scp' })).toEqual(['analyst', 'approver']);
  });

  it('tells JWTs from irflow API keys', () => {
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln')).toBe(true);
    expect(looksLikeJwt('irf_abcDEF123-_')).toBe(false);
    expect(looksLikeJwt('a.b.')).toBe(false);
  });
});
