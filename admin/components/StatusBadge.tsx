import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Badge } from './CustomerStory';

/** 状态 in the customer list and page: 启用 green, 停用 orange, 已删除 grey. */
const StatusBadge = (props: BasePropertyProps) => (
  <Badge status={String(props.record?.params?.[props.property.path] || '')} />
);

export default StatusBadge;
