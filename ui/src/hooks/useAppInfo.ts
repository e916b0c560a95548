// Loads the product name and version once; `null` until known (or when running outside the shell).
import { useEffect, useState } from 'react';

import { getAppInfo, type AppInfo } from '../api';

export function useAppInfo(): AppInfo | null {
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    let active = true;
    getAppInfo().then(
      (value) => {
        if (active) setInfo(value);
      },
      (error: unknown) => console.warn('app_info failed', error),
    );
    return () => {
      active = false;
    };
  }, []);
  return info;
}
