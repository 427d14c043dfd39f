/**
 * The hosts of Tencent's REST API, by data centre. China and Singapore are
 * the ones Tencent documents for Room; the others serve IM on the same
 * gateway. An app lives in one data centre: its key is unknown elsewhere.
 */
export const REGIONS = {
  china: "console.tim.qq.com",
  singapore: "adminapisgp.im.qcloud.com",
  seoul: "adminapikr.im.qcloud.com",
  frankfurt: "adminapiger.im.qcloud.com",
  "silicon-valley": "adminapiusa.im.qcloud.com",
  jakarta: "adminapiidn.im.qcloud.com",
} as const;

/** A data centre of Tencent's REST API: `"china"` (the default), `"singapore"`, … */
export type Region = keyof typeof REGIONS;

/** The region names, in the order above. */
export const REGION_NAMES = Object.keys(REGIONS) as Region[];

/** Whether `name` is one of {@link REGION_NAMES}. */
export function isRegion(name: string): name is Region {
  return Object.hasOwn(REGIONS, name);
}
