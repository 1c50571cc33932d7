// The features of REST Client, httpYac and JetBrains that Wireplay does not
// implement, each with the sentence that names it. A request that uses one is
// refused at the line (exit 2 on the CLI): it is never sent with the feature
// skipped, and the message says what the feature is, so nobody has to guess.

export class UnsupportedFeatureError extends Error {
  override readonly name = 'UnsupportedFeatureError';
}

const NOT_SUPPORTED = 'is not supported';

/** Dynamic variables of the three tools that Wireplay refuses, by name. */
const DYNAMIC: Record<string, string> = {
  $aadToken: "`$aadToken` (REST Client's Azure AD token)",
  $aadV2Token: "`$aadV2Token` (REST Client's Azure AD v2 token)",
  $oidcAccessToken: "`$oidcAccessToken` (REST Client's OpenID Connect token)",
  $input: "`$input` (httpYac's input box; use `# @prompt NAME` instead)",
  $password: "`$password` (httpYac's password box; use `# @prompt password` instead)",
  $pick: "`$pick` (httpYac's quick pick)",
  $oauth2: "`$oauth2` (httpYac's OAuth2 token)",
  $openid: "`$openid` (httpYac's OpenID token)",
  $exampleServer: "`$exampleServer` (JetBrains' example server)",
  $projectRoot: "`$projectRoot` (JetBrains' project folder)",
  $historyFolder: "`$historyFolder` (JetBrains' history folder)",
};

/** The sentence for an unsupported dynamic variable, or undefined when Wireplay knows it. */
export function unsupportedDynamicVariable(name: string): string | undefined {
  if (DYNAMIC[name]) return `${DYNAMIC[name]} ${NOT_SUPPORTED}`;
  if (/^\$random\.\w+\.\w+/.test(name)) return `\`${name}\` (JetBrains' generated test data) ${NOT_SUPPORTED}`;
  return undefined;
}

/**
 * Authorization values that the tools turn into a flow Wireplay does not run:
 * AWS Signature v4, Amazon Cognito, OAuth2 / OpenID Connect, client-side JWT signing.
 */
export function unsupportedAuthorization(value: string): string | undefined {
  const scheme = value.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const rest = value.trim().split(/\s+/).length > 1;
  if (scheme === 'aws' && rest) return `AWS Signature v4 (\`Authorization: AWS …\`, REST Client and httpYac) ${NOT_SUPPORTED}`;
  if (scheme === 'cognito' && rest) return `Amazon Cognito (\`Authorization: COGNITO …\`, REST Client) ${NOT_SUPPORTED}`;
  if ((scheme === 'oauth2' || scheme === 'openid') && /^\s*(oauth2|openid)(\s|$)/i.test(value)) {
    return `The ${scheme === 'oauth2' ? 'OAuth2' : 'OpenID Connect'} flow (\`Authorization: ${value.trim().split(/\s+/).slice(0, 2).join(' ')}\`, httpYac) ${NOT_SUPPORTED}`;
  }
  return undefined;
}

/** Metadata that changes what is sent in a way Wireplay does not implement. */
export function unsupportedMetadata(key: string, value: string): string | undefined {
  switch (key) {
    case 'proxy':
      return `\`# @proxy\` (httpYac: send through a proxy) ${NOT_SUPPORTED}`;
    case 'loop':
      if (/^\s*while\b/.test(value)) return `\`# @loop while …\` (httpYac: a JavaScript condition) is not supported: Wireplay runs JavaScript only in script blocks (\`{{ }}\`, \`< {% %}\`, \`> {% %}\`); write \`# @loop for N\``;
      if (!/^\s*for\s+\d+\s*$/.test(value) && !/^\s*for\s+\S+\s+of\s+\S/.test(value)) return `\`# @loop ${value}\` is not a loop Wireplay knows: write \`# @loop for N\` or \`# @loop for ITEM of [JSON array]\``;
      return undefined;
    case 'disabled':
      return value.trim() ? `\`# @disabled ${value.trim()}\` (httpYac: disabled when a JavaScript expression is true) is not supported: Wireplay runs JavaScript only in script blocks (\`{{ }}\`, \`< {% %}\`, \`> {% %}\`); set \`exports.$cancel = true\` in a \`{{ }}\` block above the request instead` : undefined;
    case 'jwt':
    case 'keepStreaming':
      return undefined;
    default:
      return undefined;
  }
}

/** A `{{ … }}` that is neither a variable name, a dynamic variable nor a reference: httpYac evaluates it as JavaScript. */
export function javascriptExpression(expression: string): string {
  return `\`{{${expression}}}\` is a JavaScript expression (httpYac evaluates it) and is not supported: Wireplay runs JavaScript only in script blocks (\`{{ }}\`, \`< {% %}\`, \`> {% %}\`); compute the value in a \`{{ }}\` block above the request (\`exports.name = …\`) and write \`{{name}}\``;
}
