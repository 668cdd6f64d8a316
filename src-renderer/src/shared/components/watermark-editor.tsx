import { Form, Input, InputNumber, Select, Slider, Space, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  renderWatermarkText,
  watermarkMoveSecondsSchema,
  watermarkOpacitySchema,
  watermarkPositions,
  watermarkSizeSchema,
  watermarkTemplateSchema,
  type WatermarkPosition,
  type WatermarkSpec,
} from '../../../../src-shared/schemas/devices-watermarks';
import { zodRule } from '../forms/zod-rules';

const sample = { username: 'alice', hwid: 'HW-4F2A-91', account: '1042', device: '7', channel: 'travel', ip: '192.0.2.15', date: '2026-11-23' };

const placement: Record<Exclude<WatermarkPosition, 'random'>, { top?: string; bottom?: string; left?: string; right?: string; transform?: string }> = {
  'top-left': { top: '6%', left: '4%' },
  'top-right': { top: '6%', right: '4%' },
  'bottom-left': { bottom: '6%', left: '4%' },
  'bottom-right': { bottom: '6%', right: '4%' },
  center: { top: '50%', left: '50%', transform: 'translate(-50%, -50%)' },
};

/** A picture-sized box showing the watermark as a viewer's player would draw it. */
export function WatermarkPreview({ spec }: { spec: Partial<WatermarkSpec> }) {
  const { t } = useTranslation();
  const position = spec.position === 'random' || !spec.position ? 'top-right' : spec.position;
  const size = Math.min(20, Math.max(1, Number(spec.size) || 3));
  return (
    <div className="watermark-preview" role="img" aria-label={t('watermark.preview')} data-testid="watermark-preview">
      <div className="watermark-preview-picture">{t('watermark.previewPicture')}</div>
      {spec.enabled !== false && (
        <span
          className="watermark-preview-text"
          style={{ ...placement[position], opacity: Math.min(1, Math.max(0.05, Number(spec.opacity) || 0.25)), fontSize: `${(size / 100) * 180}px` }}
        >
          {renderWatermarkText(spec.template ?? '', sample)}
        </span>
      )}
      {spec.position === 'random' && <span className="watermark-preview-note">{t('watermark.randomNote', { seconds: spec.moveSeconds ?? 0 })}</span>}
    </div>
  );
}

/** The watermark fields inside a parent form, under `name` (e.g. `watermark` or `defaultWatermark`). */
export function WatermarkFields({ name, readOnly }: { name: string; readOnly: boolean }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const spec = (Form.useWatch(name, form) ?? {}) as Partial<WatermarkSpec>;
  return (
    <div className="watermark-editor">
      <Space align="start" size="large" wrap>
        <div style={{ minWidth: 300 }}>
          <Form.Item name={[name, 'enabled']} label={t('watermark.enabled')} valuePropName="checked">
            <Switch disabled={readOnly} />
          </Form.Item>
          <Form.Item name={[name, 'template']} label={t('watermark.template')} extra={t('watermark.templateHint')} rules={[zodRule(watermarkTemplateSchema)]}>
            <Input disabled={readOnly} />
          </Form.Item>
          <Form.Item name={[name, 'position']} label={t('watermark.position')}>
            <Select disabled={readOnly} options={watermarkPositions.map((p) => ({ value: p, label: t(`watermark.positions.${p}`) }))} />
          </Form.Item>
          <Form.Item name={[name, 'opacity']} label={t('watermark.opacity')} rules={[zodRule(watermarkOpacitySchema)]}>
            <Slider disabled={readOnly} min={0.05} max={1} step={0.05} />
          </Form.Item>
          <Space>
            <Form.Item name={[name, 'size']} label={t('watermark.size')} rules={[zodRule(watermarkSizeSchema)]}>
              <InputNumber disabled={readOnly} step={0.5} suffix="%" />
            </Form.Item>
            <Form.Item name={[name, 'moveSeconds']} label={t('watermark.moveSeconds')} rules={[zodRule(watermarkMoveSecondsSchema)]}>
              <InputNumber disabled={readOnly} suffix="s" />
            </Form.Item>
          </Space>
        </div>
        <WatermarkPreview spec={spec} />
      </Space>
    </div>
  );
}
