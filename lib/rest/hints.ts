/** What a user can do about a REST error code (Tencent's common codes and room_config's own). */
export const HINTS: Readonly<Record<number, string>> = {
  70001:
    "the UserSig has expired: generate a new one (valid for at least 24 hours); if this keeps happening, check this machine's clock",
  70003:
    "the UserSig could not be parsed, often because it was cut short: pass it whole, as the usersig query parameter",
  70009:
    "the UserSig does not verify: the secret key belongs to another app, or was copied wrongly; copy it again from Tencent's console for this SDKAppID",
  70013: "the identifier differs from the one the UserSig was made for: sign and send the same admin account",
  70014: "the SDKAppID differs from the one the UserSig was made for: sign and send the same SDKAppID",
  70016:
    'the key of this SDKAppID is not known in this data centre: use your app\'s region (region: "singapore", …, or --region), or check the SDKAppID',
  70020:
    'this SDKAppID is not known in this data centre: use your app\'s region (region: "singapore", …, or --region), or check the SDKAppID',
  70050: "too many failed UserSig checks: wait a minute, then retry with the right secret key",
  70107:
    'the identifier is not an account of this app: use an app admin account (see the console\'s Account Management), such as "administrator", or import it first',
  100001: "Tencent had an internal error: retry in a moment",
  100002:
    "Tencent found a parameter invalid: check the URL (it must start with http:// or https://) and the command list",
  100300: "a callback configuration exists already: update it (setCallback does so by itself)",
  100301: "there is no callback configuration to update: set one first (setCallback does so by itself)",
};
